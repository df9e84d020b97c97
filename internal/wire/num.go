package wire

import (
	"math"
	"strconv"
	"time"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func parseEpoch(s string) (time.Time, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, false
	}
	return epochTime(f), true
}

// epochTime converts epoch seconds with a fraction, rounded to the millisecond as AWS
// keeps them.
func epochTime(f float64) time.Time {
	ms := int64(math.Round(f * 1000))
	return time.UnixMilli(ms).UTC()
}

// formatFloat renders a float as AWS's text protocols do, with the special values
// spelled as Smithy specifies.
func formatFloat(f float64, bits int) string {
	if name, ok := SpecialFloat(f); ok {
		return name
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// SpecialFloat names NaN and the infinities as Smithy's protocols (and Java's
// Double.toString) spell them; ok is false for a finite f.
func SpecialFloat(f float64) (name string, ok bool) {
	switch {
	case math.IsNaN(f):
		return "NaN", true
	case math.IsInf(f, 1):
		return "Infinity", true
	case math.IsInf(f, -1):
		return "-Infinity", true
	}
	return "", false
}

func parseFloat(s string) (float64, bool) {
	switch s {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
