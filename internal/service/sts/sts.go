// Package sts serves AWS Security Token Service. For now: GetCallerIdentity.
package sts

import (
	api "github.com/palisade/palisade/internal/api/sts"
	"github.com/palisade/palisade/internal/server"
)

// Service returns STS for the server.
func Service() server.Service {
	return server.Service{
		Model: api.Service,
		Handlers: []server.Handler{
			server.Read("GetCallerIdentity", getCallerIdentity).NoAuthz(),
		},
	}
}

// getCallerIdentity answers who the caller is. AWS allows it for every authenticated
// caller; no policy can deny it.
func getCallerIdentity(c *server.Call, _ *api.GetCallerIdentityRequest) (*api.GetCallerIdentityResponse, error) {
	p := c.Principal
	return &api.GetCallerIdentityResponse{Account: &p.Account, Arn: &p.ARN, UserId: &p.UserID}, nil
}
