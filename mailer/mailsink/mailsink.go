// Package mailsink is a small SMTP server on loopback that accepts and counts what it gets: the
// mail server of the mailer's tests and of the mail load run (cmd/bench-mail). It can be slow,
// refuse recipients, and die and come back on the same address, as real servers do.
package mailsink

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"time"
)

// Options make the sink misbehave. The zero value accepts everything at once.
type Options struct {
	// Delay is waited before accepting each message.
	Delay time.Duration
	// Gate, when set, is waited on before accepting a message to the recipient to (nil: no wait).
	Gate func(to string) <-chan struct{}
	// Refuse, when set, is the reply to RCPT TO for the recipient to ("" accepts), for
	// instance "550 5.1.1 no such user" or "452 4.2.2 mailbox full".
	Refuse func(to string) string
	// Arrived, when not nil, gets each message accepted.
	Arrived chan<- Message
}

// Message is a message the sink accepted.
type Message struct {
	To        string
	MessageID string
	Data      string // headers and body as received, dot-stuffing undone
}

// Sink is a running SMTP server.
type Sink struct {
	addr string
	opt  Options

	mu       sync.Mutex
	ln       net.Listener
	conns    map[net.Conn]struct{}
	dialed   int
	got      []Message
	perID    map[string]int
	stopping chan struct{}
}

// Start listens on addr ("127.0.0.1:0" picks a port) and serves until Stop.
func Start(addr string, opt Options) (*Sink, error) {
	s := &Sink{opt: opt, conns: map[net.Conn]struct{}{}, perID: map[string]int{}}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	return s, nil
}

// Addr is the sink's address, the same after Resume.
func (s *Sink) Addr() string { return s.addr }

// Stop closes the listener and every connection, as a server that dies.
func (s *Sink) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return
	}
	close(s.stopping)
	s.ln.Close()
	s.ln = nil
	for c := range s.conns {
		c.Close()
	}
}

// Resume listens again on the same address after Stop (a running sink is left as it is).
func (s *Sink) Resume() error {
	s.mu.Lock()
	running := s.ln != nil
	s.mu.Unlock()
	if running {
		return nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	s.serve(ln)
	return nil
}

// Received is every message accepted so far.
func (s *Sink) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.got...)
}

// Count is how many messages were accepted; Duplicates how many of them carried a Message-ID
// accepted before.
func (s *Sink) Count() (accepted, duplicates int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.perID {
		duplicates += n - 1
	}
	return len(s.got), duplicates
}

// Connections is how many connections clients opened so far.
func (s *Sink) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dialed
}

func (s *Sink) serve(ln net.Listener) {
	s.mu.Lock()
	s.ln, s.stopping = ln, make(chan struct{})
	stopping := s.stopping
	s.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			if s.ln != ln {
				s.mu.Unlock()
				c.Close()
				return
			}
			s.conns[c] = struct{}{}
			s.dialed++
			s.mu.Unlock()
			go func() {
				s.session(c, stopping)
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
		}
	}()
}

// session speaks enough SMTP for net/smtp's client: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
func (s *Sink) session(c net.Conn, stopping <-chan struct{}) {
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	say := func(line string) bool {
		w.WriteString(line + "\r\n")
		return w.Flush() == nil
	}
	if !say("220 mailsink ESMTP") {
		return
	}
	var to []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimSpace(line)
		verb := strings.ToUpper(cmd)
		switch {
		case strings.HasPrefix(verb, "EHLO"):
			say("250-mailsink\r\n250-PIPELINING\r\n250 8BITMIME")
		case strings.HasPrefix(verb, "HELO"):
			say("250 mailsink")
		case strings.HasPrefix(verb, "MAIL FROM:"):
			to = to[:0]
			say("250 2.1.0 ok")
		case strings.HasPrefix(verb, "RCPT TO:"):
			rcpt := strings.Trim(strings.TrimSpace(cmd[len("RCPT TO:"):]), "<>")
			if s.opt.Refuse != nil {
				if reply := s.opt.Refuse(rcpt); reply != "" {
					say(reply)
					continue
				}
			}
			to = append(to, rcpt)
			say("250 2.1.5 ok")
		case verb == "DATA":
			if len(to) == 0 {
				say("554 5.5.1 no valid recipients")
				continue
			}
			say("354 end with <CRLF>.<CRLF>")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			if s.opt.Delay > 0 {
				select {
				case <-time.After(s.opt.Delay):
				case <-stopping:
					return
				}
			}
			for _, rcpt := range to {
				if s.opt.Gate != nil {
					if g := s.opt.Gate(rcpt); g != nil {
						select {
						case <-g:
						case <-stopping:
							return
						}
					}
				}
			}
			if !s.accept(to, data.String(), stopping, func() bool { return say("250 2.0.0 queued") }) {
				return
			}
			to = to[:0]
		case verb == "RSET":
			to = to[:0]
			say("250 2.0.0 ok")
		case verb == "QUIT":
			say("221 2.0.0 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// accept takes the message for its recipients if the sink is not being stopped and its reply
// reached the connection: a server that takes responsibility for a message as it says so, and
// not before (RFC 5321, 4.1.1.4). Stop waits for it, so a message is either answered and
// counted, or neither.
func (s *Sink) accept(to []string, data string, stopping <-chan struct{}, reply func() bool) bool {
	var ms []Message
	s.mu.Lock()
	select {
	case <-stopping:
		s.mu.Unlock()
		return false
	default:
	}
	if !reply() {
		s.mu.Unlock()
		return false
	}
	for _, rcpt := range to {
		m := Message{To: rcpt, MessageID: header(data, "Message-ID"), Data: data}
		s.got = append(s.got, m)
		s.perID[m.MessageID]++
		ms = append(ms, m)
	}
	s.mu.Unlock()
	if s.opt.Arrived != nil {
		for _, m := range ms {
			s.opt.Arrived <- m
		}
	}
	return true
}

// header is the value of the first header named name in a message.
func header(data, name string) string {
	head, _, _ := strings.Cut(data, "\r\n\r\n")
	for _, l := range strings.Split(head, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
