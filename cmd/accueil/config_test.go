package main

import (
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

func TestRetentionAndHealthKeyConfig(t *testing.T) {
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil || cfg.RetentionDays != 30 || len(cfg.HealthKeys) != 0 {
		t.Fatalf("defaults: %d days, %d keys, %v", cfg.RetentionDays, len(cfg.HealthKeys), err)
	}
	for _, bad := range []string{"0", "-3", "trente"} {
		if _, err := loadConfig(func(k string) string { return map[string]string{"RETENTION_DAYS": bad}[k] }); err == nil {
			t.Errorf("RETENTION_DAYS=%s accepted", bad)
		}
	}
	key := pgtest.HealthKey.Base64()
	cfg, err = loadConfig(func(k string) string {
		return map[string]string{"RETENTION_DAYS": "90", "HEALTH_KEY": key, "HEALTH_KEY_PREVIOUS": " " + key + " ,"}[k]
	})
	if err != nil || cfg.RetentionDays != 90 || len(cfg.HealthKeys) != 2 || cfg.HealthKeys[0] != pgtest.HealthKey {
		t.Errorf("set: %d days, %d keys, %v", cfg.RetentionDays, len(cfg.HealthKeys), err)
	}
	_, err = loadConfig(func(k string) string { return map[string]string{"HEALTH_KEY_PREVIOUS": key}[k] })
	if err == nil || strings.Contains(err.Error(), key) {
		t.Errorf("HEALTH_KEY_PREVIOUS alone: %v", err)
	}
	// A malformed key (a secret mistyped, a key of the wrong length) is refused without being
	// quoted back: the error reaches the terminal and the logs.
	for _, bad := range []string{"mot-de-passe-secret-mal-collé", key[:len(key)-8]} {
		_, err := loadConfig(func(k string) string { return map[string]string{"HEALTH_KEY": bad}[k] })
		if err == nil || strings.Contains(err.Error(), bad) {
			t.Errorf("HEALTH_KEY=%q: %v", bad, err)
		}
	}
}

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

func TestLimitsConfig(t *testing.T) {
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil || cfg.Limits != api.DefaultLimits() {
		t.Fatalf("defaults: %+v, %v", cfg.Limits, err)
	}
	cfg, err = loadConfig(func(k string) string {
		return map[string]string{"LIMIT_BOOKING_ACCOUNT": "30/1m", "LIMIT_API_ADDRESS": "off", "LIMIT_SYNC": "2s"}[k]
	})
	if err != nil || cfg.Limits.Booking.Account != (store.Rate{Max: 30, Window: time.Minute}) || !cfg.Limits.API.Address.Off() ||
		cfg.Limits.Sync != 2*time.Second || cfg.Limits.Login != api.DefaultLimits().Login {
		t.Errorf("set: %+v, %v", cfg.Limits, err)
	}
	for k, bad := range map[string]string{"LIMIT_LOGIN_ADDRESS": "600", "LIMIT_SIGNUP_ACCOUNT": "-1/1h", "LIMIT_RESET_ADDRESS": "5/soon",
		"LIMIT_API_ACCOUNT": "5/1ms", "LIMIT_SYNC": "1h"} {
		if _, err := loadConfig(func(key string) string { return map[string]string{k: bad}[key] }); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, bad, err)
		}
	}
}

// The waiting room's settings: defaults, values, and refusals that never quote the key.
func TestWaitingRoomConfig(t *testing.T) {
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil || cfg.WaitingRoom.Capacity != 3000 || cfg.WaitingRoom.Stay != 20*time.Minute || cfg.WaitingRoom.Key != nil {
		t.Fatalf("defaults: %+v, %v", cfg.WaitingRoom, err)
	}
	key := strings.Repeat("clé-", 10)
	cfg, err = loadConfig(func(k string) string {
		return map[string]string{"WAITING_ROOM_CAPACITY": "500", "WAITING_ROOM_STAY": "5m", "WAITING_ROOM_KEY": key}[k]
	})
	if err != nil || cfg.WaitingRoom.Capacity != 500 || cfg.WaitingRoom.Stay != 5*time.Minute || string(cfg.WaitingRoom.Key) != key {
		t.Errorf("set: %+v, %v", cfg.WaitingRoom, err)
	}
	for k, bad := range map[string]string{"WAITING_ROOM_CAPACITY": "0", "WAITING_ROOM_STAY": "4s", "WAITING_ROOM_KEY": "trop-courte"} {
		_, err := loadConfig(func(name string) string { return map[string]string{k: bad}[name] })
		if err == nil || (k == "WAITING_ROOM_KEY" && strings.Contains(err.Error(), bad)) {
			t.Errorf("%s=%s: %v", k, bad, err)
		}
	}
}

// The queues' bounds and the requests' time limits default to the API's defaults and refuse
// what would disable them.
func TestAdmissionConfig(t *testing.T) {
	def := api.DefaultConfig()
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil || cfg.BookingBatchMax != def.BookingBatch || cfg.BookingQueueMax != def.BookingQueue || cfg.SessionQueueMax != def.SessionQueue ||
		cfg.RequestTimeout != def.RequestTimeout || cfg.LongRequestTimeout != def.LongRequestTimeout {
		t.Fatalf("defaults: %+v, %v", cfg, err)
	}
	set := map[string]string{"BOOKING_BATCH_MAX": "32", "BOOKING_QUEUE_MAX": "512", "SESSION_QUEUE_MAX": "2048", "REQUEST_TIMEOUT": "4s", "LONG_REQUEST_TIMEOUT": "5m"}
	cfg, err = loadConfig(func(k string) string { return set[k] })
	if err != nil || cfg.BookingBatchMax != 32 || cfg.BookingQueueMax != 512 || cfg.SessionQueueMax != 2048 || cfg.RequestTimeout != 4*time.Second || cfg.LongRequestTimeout != 5*time.Minute {
		t.Errorf("set: %+v, %v", cfg, err)
	}
	for k, bad := range map[string]string{"BOOKING_BATCH_MAX": "-1", "BOOKING_QUEUE_MAX": "0", "SESSION_QUEUE_MAX": "beaucoup", "REQUEST_TIMEOUT": "10",
		"LONG_REQUEST_TIMEOUT": "1s"} {
		if _, err := loadConfig(func(key string) string { return map[string]string{k: bad}[key] }); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, bad, err)
		}
	}
}
