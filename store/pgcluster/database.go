package pgcluster

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"
)

// EnsureDatabase creates database name on the cluster unless it exists.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("looking for database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		if pqErr, ok := err.(*pq.Error); ok && pqErr.Code == "42P04" { // created meanwhile
			return nil
		}
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}
