package main

import "testing"

// The outbox page (/dev/emails: working links, children's names) exists only when DEV_MODE is
// set; a deployment that sets nothing never shows it.
func TestDevModeIsOffUnlessAsked(t *testing.T) {
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DevMode {
		t.Error("DEV_MODE is on by default")
	}
	on, err := loadConfig(func(k string) string { return map[string]string{"DEV_MODE": "true"}[k] })
	if err != nil || !on.DevMode {
		t.Errorf("DEV_MODE=true: %v, %v", on.DevMode, err)
	}
}
