package svckit

import (
	"math"
	"testing"
)

func TestDecimalNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "-1.5e-3": true, "+7": true, ".5": true, "5.": true, "1E+10": true, "12345678901234567890": true,
		"": false, "-": false, ".": false, "1e": false, "1e+": false, "NaN": false, "Infinity": false, "-inf": false,
		"0x1p3": false, "1_000": false, " 1": false, "1 ": false, "1.2.3": false, "e5": false,
	} {
		if got := DecimalNumber(s); got != want {
			t.Errorf("DecimalNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestMetricValueOK(t *testing.T) {
	for _, v := range []float64{0, 1, -1, math.Ldexp(1, 360), -math.Ldexp(1, 360), math.Ldexp(1, -360), math.Ldexp(1, -361), -5e-324, 5e-324} {
		if !MetricValueOK(v) {
			t.Errorf("%g refused", v)
		}
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Ldexp(1, 361), -math.Ldexp(1, 361)} {
		if MetricValueOK(v) {
			t.Errorf("%g accepted", v)
		}
	}
}

func TestDecimalParts(t *testing.T) {
	for _, c := range []struct {
		in     string
		digits string
		power  int64
		ok     bool
	}{
		{"000123.4500", "1234500", 2, true}, {"0.05", "5", -2, true}, {"-5.00", "500", 0, true},
		{"1e125", "1", 125, true}, {"0e126", "", 126, true}, {"0.000", "", -3, true},
		{"7e99999999999", "7", 0, false},
	} {
		d, p, ok := DecimalParts(c.in)
		if d != c.digits || ok != c.ok || ok && p != c.power {
			t.Errorf("DecimalParts(%q) = %q, %d, %v; want %q, %d, %v", c.in, d, p, ok, c.digits, c.power, c.ok)
		}
	}
}
