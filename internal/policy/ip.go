package policy

import (
	"net/netip"
	"strconv"
	"strings"
)

// IP addresses as IAM reads them in IpAddress and NotIpAddress conditions. IAM's
// grammar is neither Go's nor RFC 4291's; what follows reproduces the answers AWS
// gave in 2026 (radkawar/stackd testdata/aws/iam/condition_ip.json: TagUser
// authorized through session policies, the simulator, and documents stored by IAM):
//
//   - IPv4 is four dot-separated decimal numbers up to 255, leading zeros allowed
//     ("192.000.002.1"); "192.0.513", "3221225985" and "192.0.2.1/32" are not
//     addresses.
//   - IPv6 groups are split at colons the way Java's String.split does (trailing
//     empty groups dropped, an empty group is zero), on each side of the first "::"
//     ("2001:db8:::1" and "2001:db8::1:" are 2001:db8::1, ":2001:db8::1" is
//     0:2001:db8::1); a second "::", more than eight groups or a zone ("%eth0")
//     make it no address.
//   - A request's "::ffff:192.0.2.1" or "::ffff:c000:201" is the IPv4 address;
//     other dotted IPv6 forms ("::192.0.2.1", "2001:db8::192.0.2.1") are no
//     address. A policy's IPv6 value is never IPv4 and may not hold a dotted part.
//   - A policy value is an address or a CIDR whose length may have leading zeros
//     or a plus sign ("/024", "/+24"), up to 32 or 128. IPv4 host bits are
//     ignored ("192.0.2.5/24" is 192.0.2.0/24); an IPv6 CIDR with host bits set
//     ("2001:db8::5/64") is no value at all.

// parseRequestIP reads a request's value of an IP condition key.
func parseRequestIP(s string) (netip.Addr, bool) {
	if !strings.Contains(s, ":") {
		return parseIPv4(s)
	}
	if strings.Contains(s, ".") {
		if len(s) > 7 && strings.EqualFold(s[:7], "::ffff:") {
			return parseIPv4(s[7:])
		}
		return netip.Addr{}, false
	}
	a, ok := parseIPv6(s)
	if !ok {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// IsIPAddress reports whether IAM reads s as an IP address in a request, as the
// policy simulator checks ContextEntries of type "ip".
func IsIPAddress(s string) bool {
	_, ok := parseRequestIP(s)
	return ok
}

// parsePolicyIP reads one value of an IpAddress or NotIpAddress condition; ok is
// false for a value IAM refuses to store and never matches.
func parsePolicyIP(s string) (netip.Prefix, bool) {
	addr, bits, hasBits := strings.Cut(s, "/")
	var a netip.Addr
	var ok bool
	if strings.Contains(addr, ":") {
		if strings.Contains(addr, ".") {
			return netip.Prefix{}, false
		}
		a, ok = parseIPv6(addr)
	} else {
		a, ok = parseIPv4(addr)
	}
	if !ok {
		return netip.Prefix{}, false
	}
	n := a.BitLen()
	if hasBits {
		if bits == "" || strings.HasPrefix(bits, "-") {
			return netip.Prefix{}, false
		}
		v, err := strconv.Atoi(bits)
		if err != nil || v > a.BitLen() {
			return netip.Prefix{}, false
		}
		n = v
	}
	p := netip.PrefixFrom(a, n)
	if a.Is6() && p.Masked().Addr() != a {
		return netip.Prefix{}, false
	}
	return p.Masked(), true
}

func parseIPv4(s string) (netip.Addr, bool) {
	var b [4]byte
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	for i, p := range parts {
		if p == "" || len(p) > 3 {
			return netip.Addr{}, false
		}
		v := 0
		for j := 0; j < len(p); j++ {
			if p[j] < '0' || p[j] > '9' {
				return netip.Addr{}, false
			}
			v = v*10 + int(p[j]-'0')
		}
		if v > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(v)
	}
	return netip.AddrFrom4(b), true
}

// javaSplit splits s at colons as Java's String.split(":") does: trailing empty
// strings are dropped, and an empty s is one empty string.
func javaSplit(s string) []string {
	if s == "" {
		return []string{""}
	}
	parts := strings.Split(s, ":")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

func parseIPv6(s string) (netip.Addr, bool) {
	var left, right []string
	compressed := false
	if i := strings.Index(s, "::"); i >= 0 {
		compressed = true
		if strings.Contains(s[i+2:], "::") {
			return netip.Addr{}, false
		}
		left, right = javaSplit(s[:i]), javaSplit(s[i+2:])
	} else {
		left = javaSplit(s)
	}
	n := len(left) + len(right)
	if n > 8 || (!compressed && n != 8) {
		return netip.Addr{}, false
	}
	var groups [8]uint16
	put := func(at int, g string) bool {
		if len(g) > 4 {
			return false
		}
		v, err := strconv.ParseUint("0"+g, 16, 16)
		if err != nil {
			return false
		}
		groups[at] = uint16(v)
		return true
	}
	for i, g := range left {
		if !put(i, g) {
			return netip.Addr{}, false
		}
	}
	for i, g := range right {
		if !put(8-len(right)+i, g) {
			return netip.Addr{}, false
		}
	}
	var b [16]byte
	for i, g := range groups {
		b[2*i], b[2*i+1] = byte(g>>8), byte(g)
	}
	return netip.AddrFrom16(b), true
}
