package api

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// trustedProxies are the networks of the reverse proxies we run (Config.TrustedProxies).
type trustedProxies []netip.Prefix

// parseTrustedProxies reads addresses ("10.0.0.1") and networks ("10.0.0.0/8").
func parseTrustedProxies(list []string) (trustedProxies, error) {
	var out trustedProxies
	for _, p := range list {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if strings.Contains(p, "/") {
			n, err := netip.ParsePrefix(p)
			if err != nil {
				return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not an address or a network", p)
			}
			out = append(out, n.Masked())
			continue
		}
		a, err := netip.ParseAddr(p)
		if err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not an address or a network", p)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (t trustedProxies) contains(a netip.Addr) bool {
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
func (t trustedProxies) forwardedClient(peer netip.Addr, lines [][]byte) netip.Addr {
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
func (s *Server) realClientAddress(c *fiber.Ctx) error {
	if len(s.proxies) == 0 {
		return c.Next()
	}
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok || !s.proxies.contains(peer) {
		return c.Next()
	}
	client := s.proxies.forwardedClient(peer.Unmap(), c.Request().Header.PeekAll(fiber.HeaderXForwardedFor))
	if client != peer.Unmap() {
		c.Context().SetRemoteAddr(&net.TCPAddr{IP: net.IP(client.AsSlice())})
	}
	return c.Next()
}
