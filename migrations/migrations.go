// Package migrations embeds the numbered SQL files that build the schema.
package migrations

import "embed"

// FS holds the NNNN_name.sql files, applied in order by store.Migrate.
//
//go:embed *.sql
var FS embed.FS
