package wire

import (
	"net/http"
	"strings"

	"github.com/palisade/palisade/internal/model"
)

// Detect picks the protocol a request to svc uses. Most services speak one; CloudWatch
// speaks rpc-v2-cbor, json and query, and the SDK generation decides which arrives, so
// the request's own markers choose: the smithy-protocol header, then X-Amz-Target,
// then a form body.
func Detect(svc *model.Service, r *http.Request) Protocol {
	if len(svc.Protocols) > 1 {
		for _, name := range svc.Protocols {
			if matchesProtocol(name, r) {
				if p, ok := Lookup(name); ok {
					return p
				}
			}
		}
	}
	p, _ := Lookup(svc.Protocol)
	return p
}

func matchesProtocol(name string, r *http.Request) bool {
	switch name {
	case "smithy-rpc-v2-cbor":
		return r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor"
	case "json":
		return r.Header.Get("X-Amz-Target") != ""
	case "query", "ec2":
		ct := r.Header.Get("Content-Type")
		return strings.HasPrefix(ct, "application/x-www-form-urlencoded") || r.URL.Query().Get("Action") != ""
	}
	return false
}
