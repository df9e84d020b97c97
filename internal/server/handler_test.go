package server_test

import (
	"strings"
	"testing"

	logsapi "github.com/palisade/palisade/internal/api/logs"
	"github.com/palisade/palisade/internal/server"
)

// A TypedInput handler may leave members out of its input tree only when CloudTrail
// does not record it, and only members its input has.
func TestTypedInputRegistration(t *testing.T) {
	put := func(c *server.Call, in *logsapi.PutLogEventsRequest) (*logsapi.PutLogEventsResponse, error) {
		return nil, nil
	}
	for _, tc := range []struct {
		h    server.Handler
		want string
	}{
		{server.Write("PutLogEvents", put).NotRecorded().TypedInput("logEvents"), ""},
		{server.Write("PutLogEvents", put).TypedInput(), ""},
		{server.Write("PutLogEvents", put).TypedInput("logEvents"), "is recorded"},
		{server.Write("PutLogEvents", put).NotRecorded().TypedInput("events"), "no member events"},
	} {
		_, err := server.New(server.Config{}, server.Service{Model: logsapi.Service, Handlers: []server.Handler{tc.h}})
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("want %q, got %v", tc.want, err)
		}
	}
}

// Service.Unsigned may list only operations the service serves, and no action may be
// listed by two services (unsigned requests are routed by it).
func TestUnsignedRegistration(t *testing.T) {
	put := func(c *server.Call, in *logsapi.PutLogEventsRequest) (*logsapi.PutLogEventsResponse, error) {
		return nil, nil
	}
	svc := func(unsigned ...string) server.Service {
		s := server.Service{Model: logsapi.Service, Handlers: []server.Handler{server.Write("PutLogEvents", put)}, Unsigned: map[string]bool{}}
		for _, op := range unsigned {
			s.Unsigned[op] = true
		}
		return s
	}
	if _, err := server.New(server.Config{}, svc("PutLogEvents")); err != nil {
		t.Fatal(err)
	}
	if _, err := server.New(server.Config{}, svc("GetLogEvents")); err == nil || !strings.Contains(err.Error(), "serves no such operation") {
		t.Errorf("unserved unsigned operation: %v", err)
	}
	if _, err := server.New(server.Config{}, svc("PutLogEvents"), svc("PutLogEvents")); err == nil || !strings.Contains(err.Error(), "both list PutLogEvents") {
		t.Errorf("unsigned action listed twice: %v", err)
	}
}
