package lifecycle

import (
	"testing"
	"time"
)

func TestHuman(t *testing.T) {
	cases := map[time.Duration]string{
		time.Hour:                      "1h",
		90 * time.Minute:               "1h30m",
		30 * time.Minute:               "30m",
		5*time.Minute + 20*time.Second: "5m20s",
		24 * time.Hour:                 "24h",
		45 * time.Second:               "45s",
	}
	for d, want := range cases {
		if got := human(d); got != want {
			t.Errorf("human(%v): want %q, got %q", d, want, got)
		}
	}
}
