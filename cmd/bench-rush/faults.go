package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/accueil-prioritaire/accueil/store/pgcluster"
)

// slowProxy stands between the services and PostgreSQL: it takes TCP connections and passes
// them on to the cluster's unix socket, holding everything PostgreSQL sends for delay (so each
// round trip takes delay longer). Data is delayed, not throttled: what arrives meanwhile
// queues behind it in order.
type slowProxy struct {
	ln     net.Listener
	socket string
	delay  time.Duration
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func startSlowProxy(socketDir string, delay time.Duration) (*slowProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &slowProxy{ln: ln, socket: filepath.Join(socketDir, ".s.PGSQL.5432"), delay: delay, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// url is the connection string of database name through the proxy.
func (p *slowProxy) url(name string) string {
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", pgcluster.Superuser, p.ln.Addr(), name)
}

func (p *slowProxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("unix", p.socket)
		if err != nil {
			client.Close()
			continue
		}
		p.track(client, server)
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			copyThenClose(server, client, 0)
		}()
		go func() {
			defer p.wg.Done()
			copyThenClose(client, server, p.delay)
		}()
	}
}

func (p *slowProxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
}

// close stops accepting and cuts every connection.
func (p *slowProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// copyThenClose copies src to dst, each read held for delay, and closes both at the end.
func copyThenClose(dst, src net.Conn, delay time.Duration) {
	defer dst.Close()
	defer src.Close()
	type chunk struct {
		b   []byte
		due time.Time
	}
	ch := make(chan chunk, 1024)
	go func() {
		defer close(ch)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				ch <- chunk{buf[:n], time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range ch {
		time.Sleep(time.Until(c.due))
		if _, err := dst.Write(c.b); err != nil {
			src.Close()
			for range ch {
			}
			return
		}
	}
}

// killPostmaster sends SIGKILL to the cluster's postmaster, as a crash would; its children
// (backends, writer, checkpointer…) are left to notice on their own. It returns them, so that
// a restart can wait until they are gone.
func killPostmaster(c *pgcluster.Cluster) (pid int, children []int, err error) {
	b, err := os.ReadFile(filepath.Join(c.Data, "postmaster.pid"))
	if err != nil {
		return 0, nil, err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	if pid, err = strconv.Atoi(strings.TrimSpace(first)); err != nil {
		return 0, nil, fmt.Errorf("postmaster.pid: %w", err)
	}
	children = childrenOf(pid)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return 0, nil, err
	}
	return pid, children, nil
}

func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses.
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, n)
		}
	}
	return out
}

// waitGone waits until the killed server's processes are gone, killing those still there after
// wait: a new server cannot start over the shared memory they hold. It returns how many had to
// be killed.
func waitGone(children []int, wait time.Duration) (killed int) {
	deadline := time.Now().Add(wait)
	for _, pid := range children {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			killed++
		}
	}
	for _, pid := range children {
		for alive(pid) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	return killed
}

// alive reports whether pid runs (a zombie, dead but not reaped, counts as gone).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if errors.Is(err, os.ErrNotExist) || err != nil {
		return false
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z"
}
