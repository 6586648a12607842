// Package pgcluster runs a private PostgreSQL cluster from the system's binaries, in a folder of
// the project, listening only on a unix socket inside it, so that a checkout needs no database
// server set up by hand and two checkouts never collide.
package pgcluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Superuser is the role initdb creates; local connections over the private socket are trusted.
const Superuser = "accueil"

// Options tune a cluster.
type Options struct {
	// TCPAddr, when set (host:port), also listens on TCP; empty means the unix socket only.
	TCPAddr string
	// Throwaway trades durability for speed (fsync off): for test clusters only.
	Throwaway bool
}

// Cluster is one private PostgreSQL cluster.
type Cluster struct {
	// Root holds the cluster's data folder, log and lock.
	Root string
	// Data is PGDATA.
	Data string
	// Socket is the folder of the unix socket.
	Socket string
	bin    string
	cred   *syscall.Credential // set when we are root: PostgreSQL refuses to run as root
	opts   Options
}

// maxSocketPath is the longest unix socket path Linux accepts, less one for the NUL.
const maxSocketPath = 107

// Locate finds the PostgreSQL binaries and decides where the cluster named name lives under
// dataDir. When the server's user could not reach dataDir (a checkout under a private home, seen
// when running as root), the cluster moves to a folder of the system temp directory named after
// dataDir, so that each checkout keeps its own.
func Locate(dataDir, name string, opts Options) (*Cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, opts: opts}
	if os.Geteuid() == 0 {
		c.cred, err = serverCredential()
		if err != nil {
			return nil, err
		}
	}
	c.Root = abs
	if c.cred != nil && !reachable(abs, c.cred.Uid) {
		sum := sha256.Sum256([]byte(abs))
		c.Root = filepath.Join(os.TempDir(), "accueil-"+hex.EncodeToString(sum[:6]))
	}
	c.Data = filepath.Join(c.Root, name)
	c.Socket = c.Data
	if len(c.Socket)+len("/.s.PGSQL.5432") > maxSocketPath {
		sum := sha256.Sum256([]byte(c.Data))
		c.Socket = filepath.Join(os.TempDir(), "accueil-sock-"+hex.EncodeToString(sum[:6]))
	}
	return c, nil
}

// findBinaries returns the folder of initdb, pg_ctl and postgres: the newest of Debian's
// /usr/lib/postgresql/N/bin, else the one on PATH.
func findBinaries() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries not found: install them with `apt-get install postgresql` (or set DATABASE_URL)")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// serverCredential is the unprivileged user the server runs as when we are root.
func serverCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL needs an unprivileged user: %w (apt-get install postgresql creates one)", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// reachable reports whether uid can traverse every existing folder down to dir.
func reachable(dir string, uid uint32) bool {
	for p := dir; ; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil {
			st, ok := fi.Sys().(*syscall.Stat_t)
			if !ok {
				return false
			}
			perm := fi.Mode().Perm()
			if st.Uid == uid {
				if perm&0o100 == 0 {
					return false
				}
			} else if perm&0o001 == 0 {
				return false
			}
		}
		if p == filepath.Dir(p) {
			return true
		}
	}
}

// URL is the connection string for database name over the private socket (or TCP if configured).
func (c *Cluster) URL(name string) string {
	q := url.Values{}
	q.Set("sslmode", "disable")
	q.Set("user", Superuser)
	if c.opts.TCPAddr == "" {
		q.Set("host", c.Socket)
		return "postgres:///" + name + "?" + q.Encode()
	}
	return "postgres://" + c.opts.TCPAddr + "/" + name + "?" + q.Encode()
}

// Start initialises the cluster if needed and starts it unless it already runs (another process
// of this checkout may have started it). It reports whether this call started it. Concurrent
// callers are serialised by a lock file.
func (c *Cluster) Start(ctx context.Context) (started bool, err error) {
	if err := os.MkdirAll(c.Root, 0o755); err != nil {
		return false, err
	}
	unlock, err := lockFile(filepath.Join(c.Root, filepath.Base(c.Data)+".lock"))
	if err != nil {
		return false, err
	}
	defer unlock()

	if _, err := os.Stat(filepath.Join(c.Data, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		if err := c.initdb(ctx); err != nil {
			return false, err
		}
	}
	if c.running(ctx) {
		return false, nil
	}
	if err := c.writeSettings(); err != nil {
		return false, err
	}
	if c.Socket != c.Data {
		if err := os.MkdirAll(c.Socket, 0o700); err != nil {
			return false, err
		}
		if err := c.chown(c.Socket); err != nil {
			return false, err
		}
	}
	logFile := filepath.Join(c.Data, "server.log")
	if out, err := c.command(ctx, "pg_ctl", "start", "-D", c.Data, "-l", logFile, "-w", "-t", "60").CombinedOutput(); err != nil {
		tail, _ := os.ReadFile(logFile)
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return false, fmt.Errorf("pg_ctl start: %w: %s\n%s", err, out, tail)
	}
	return true, nil
}

// Stop shuts the cluster down (fast mode: open sessions are ended, data is safe).
func (c *Cluster) Stop(ctx context.Context) error {
	if !c.running(ctx) {
		return nil
	}
	if out, err := c.command(ctx, "pg_ctl", "stop", "-D", c.Data, "-m", "fast", "-w").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, out)
	}
	return nil
}

func (c *Cluster) running(ctx context.Context) bool {
	return c.command(ctx, "pg_ctl", "status", "-D", c.Data).Run() == nil
}

func (c *Cluster) initdb(ctx context.Context) error {
	if err := os.MkdirAll(c.Data, 0o700); err != nil {
		return err
	}
	if err := c.chown(c.Data); err != nil {
		return err
	}
	out, err := c.command(ctx, "initdb", "-D", c.Data, "-U", Superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %w: %s", err, out)
	}
	f, err := os.OpenFile(filepath.Join(c.Data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString("\ninclude_if_exists = 'accueil.conf'\n")
	return err
}

// writeSettings rewrites the settings that depend on where the cluster is and how it is used.
func (c *Cluster) writeSettings() error {
	var b bytes.Buffer
	b.WriteString("# Written by accueil at each start; edit pgcluster.writeSettings instead.\n")
	listen := ""
	port := "5432"
	if c.opts.TCPAddr != "" {
		host, p, err := net.SplitHostPort(c.opts.TCPAddr)
		if err != nil {
			return fmt.Errorf("TCP address %q: %w", c.opts.TCPAddr, err)
		}
		listen, port = host, p
	}
	fmt.Fprintf(&b, "listen_addresses = '%s'\nport = %s\n", listen, port)
	fmt.Fprintf(&b, "unix_socket_directories = '%s'\nunix_socket_permissions = 0700\n", strings.ReplaceAll(c.Socket, "'", "''"))
	b.WriteString("max_connections = 300\nshared_buffers = 256MB\n")
	if c.opts.Throwaway {
		b.WriteString("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
	}
	path := filepath.Join(c.Data, "accueil.conf")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		return err
	}
	return c.chown(path)
}

func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = os.TempDir()
	// LC_ALL keeps initdb from choking on a locale the machine lacks.
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd
}

func (c *Cluster) chown(path string) error {
	if c.cred == nil {
		return nil
	}
	return os.Chown(path, int(c.cred.Uid), int(c.cred.Gid))
}

func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
