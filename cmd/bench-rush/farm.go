package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// farm is what the clients talk to: two `accueil serve` processes sharing one database, behind
// HAProxy, configured as deploy/haproxy.cfg says (the file `make run-multi` uses too).
type farm struct {
	bin, haproxyCfg, errorPage, runDir string
	healthKey                          string
	sessionKey                         string // base64, for HAProxy's check of the session cookies
	serveAddr                          [2]string
	proxyAddr                          string
	serve                              [2]*exec.Cmd
	haproxy                            *exec.Cmd
	pin                                pinning
}

func newFarm(bin, haproxyCfg, runDir, healthKey, sessionKey string, pin pinning) (*farm, error) {
	f := &farm{bin: bin, haproxyCfg: haproxyCfg, runDir: runDir, healthKey: healthKey, sessionKey: sessionKey, pin: pin,
		errorPage: filepath.Join(filepath.Dir(haproxyCfg), "haproxy-503.http")}
	for _, p := range []string{bin, haproxyCfg, f.errorPage} {
		if _, err := os.Stat(p); err != nil {
			return nil, err
		}
	}
	// The addresses stay the same across restarts, as HAProxy's would in production.
	for i := range f.serveAddr {
		a, err := freeAddr()
		if err != nil {
			return nil, err
		}
		f.serveAddr[i] = a
	}
	a, err := freeAddr()
	if err != nil {
		return nil, err
	}
	f.proxyAddr = a
	return f, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func (f *farm) base() string { return "http://" + f.proxyAddr }

// start runs the two processes on dbURL (with env added to theirs), waits until each is ready,
// then starts HAProxy in front of them.
func (f *farm) start(ctx context.Context, dbURL string, env ...string) error {
	for i, addr := range f.serveAddr {
		log, err := os.OpenFile(filepath.Join(f.runDir, fmt.Sprintf("serve%d.log", i+1)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		cmd := f.pin.command(context.WithoutCancel(ctx), false, f.bin, "serve")
		// Each process's share of the admission bound as deploy/run-multi.sh sets it, then the
		// caller's environment, so that the knobs under test (queue bounds, limits…) reach the
		// processes; the run's own settings after it win.
		cmd.Env = append(append(shareOfTwo(), os.Environ()...),
			"DATABASE_URL="+dbURL,
			"LISTEN_ADDR="+addr,
			"DATA_DIR="+filepath.Join(f.runDir, "data"),
			"HEALTH_KEY="+f.healthKey,
			"TRUSTED_PROXIES=127.0.0.1",
			"PUBLIC_URL="+f.base(),
			"LOG_LEVEL=warn",
			"DEV_MODE=false",
			"SMTP_URL=")
		cmd.Env = append(cmd.Env, env...)
		cmd.Stdout, cmd.Stderr = log, log
		err = cmd.Start()
		log.Close()
		if err != nil {
			return err
		}
		f.serve[i] = cmd
		if err := waitReady(ctx, "http://"+addr+"/readyz", 60*time.Second); err != nil {
			return fmt.Errorf("serve %d (log in %s): %w", i+1, f.runDir, err)
		}
	}
	log, err := os.OpenFile(filepath.Join(f.runDir, "haproxy.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := f.pin.command(context.WithoutCancel(ctx), false, "haproxy", "-db", "-f", f.haproxyCfg)
	cmd.Env = append(os.Environ(), "ACCUEIL_LISTEN="+f.proxyAddr, "ACCUEIL_SERVE1="+f.serveAddr[0],
		"ACCUEIL_SERVE2="+f.serveAddr[1], "ACCUEIL_503="+f.errorPage, "ACCUEIL_SESSION_KEY="+f.sessionKey)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("haproxy: %w", err)
	}
	f.haproxy = cmd
	if err := waitReady(ctx, f.base()+"/readyz", 20*time.Second); err != nil {
		return fmt.Errorf("haproxy (log in %s): %w", f.runDir, err)
	}
	return nil
}

// stop ends HAProxy and the processes (SIGTERM: they drain), killing what is left after 15 s.
func (f *farm) stop() {
	end := func(cmd *exec.Cmd) {
		if cmd == nil || cmd.Process == nil {
			return
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	end(f.haproxy)
	f.haproxy = nil
	for i := range f.serve {
		end(f.serve[i])
		f.serve[i] = nil
	}
}

// peakRSS is each process's peak resident memory (VmHWM), in bytes.
func (f *farm) peakRSS() [2]int64 {
	var out [2]int64
	for i, cmd := range f.serve {
		if cmd == nil || cmd.Process == nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				out[i] = kb << 10
			}
		}
	}
	return out
}

func waitReady(ctx context.Context, url string, within time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(within)
	for {
		res, err := client.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(res.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v: %w", url, within, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// shareOfTwo is what deploy/run-multi.sh gives each of its two processes: half a batch of what
// one process alone takes (32) and 8 waiting, since both feed one database.
func shareOfTwo() []string {
	return []string{"BOOKING_BATCH_MAX=32", "BOOKING_QUEUE_MAX=8"}
}
