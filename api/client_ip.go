package api

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// networks are addresses and networks of a setting: the reverse proxies we run
// (Config.TrustedProxies), the addresses allowed to read /metrics (Config.MetricsFrom).
type networks []netip.Prefix

// parseNetworks reads the addresses ("10.0.0.1") and networks ("10.0.0.0/8") of setting name.
func parseNetworks(name string, list []string) (networks, error) {
	var out networks
	for _, p := range list {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if strings.Contains(p, "/") {
			n, err := netip.ParsePrefix(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not an address or a network", name, p)
			}
			out = append(out, n.Masked())
			continue
		}
		a, err := netip.ParseAddr(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not an address or a network", name, p)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (t networks) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, n := range t {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedClient is the client a request from a trusted proxy was made for, read from its
// X-Forwarded-For lines. Each proxy appends the address it got the request from, so the list
// is read from the right, past our own proxies: the first other address is the client. What
// lies left of it was written by the client and proves nothing; an entry that is not an
// address stops the walk at the last proxy we trust.
func (t networks) forwardedClient(peer netip.Addr, lines [][]byte) netip.Addr {
	client := peer
	for i := len(lines) - 1; i >= 0; i-- {
		entries := bytes.Split(lines[i], []byte(","))
		for j := len(entries) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(string(bytes.TrimSpace(entries[j])))
			if err != nil {
				return client
			}
			client = a.Unmap().WithZone("")
			if !t.contains(client) {
				return client
			}
		}
	}
	return client
}

// realClientAddress makes c.IP() the client's address for every handler after it: the peer's,
// or when the peer is one of our proxies, the client it names (forwardedClient). Fiber's own
// ProxyHeader would take the leftmost entry, or any text, which the client controls; so
// Fiber is told to trust no proxy and this replaces it.
//
// The address set stays with the connection's context for its next requests, and a proxy sends
// the requests of many clients down one connection: so the peer is read from the connection
// itself, never from what an earlier request set, and every request sets its own address.
func (s *Server) realClientAddress(c *fiber.Ctx) error {
	if len(s.proxies) == 0 {
		return c.Next()
	}
	conn := c.Context().Conn()
	if conn == nil {
		return c.Next()
	}
	tcp, ok := conn.RemoteAddr().(*net.TCPAddr)
	if !ok {
		return c.Next()
	}
	client, ok := netip.AddrFromSlice(tcp.IP)
	if !ok {
		return c.Next()
	}
	client = client.Unmap()
	if s.proxies.contains(client) {
		client = s.proxies.forwardedClient(client, c.Request().Header.PeekAll(fiber.HeaderXForwardedFor))
	}
	c.Context().SetRemoteAddr(&net.TCPAddr{IP: net.IP(client.AsSlice()), Port: tcp.Port})
	return c.Next()
}
