package audit_test

import (
	"testing"
	"time"

	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
)

// A call's records in other Regions are written only when it succeeds, go to the
// caller's account alone, and share the call's requestID but not its eventID or
// sharedEventID.
func TestBuildInRegions(t *testing.T) {
	svc := &model.Service{Name: "kms", EndpointPrefix: "kms", Operations: map[string]*model.Operation{}}
	call := func(errorCode string) *audit.Call {
		return &audit.Call{
			Principal: auth.Principal{Type: auth.Root, Account: "111111111111"}, Account: "111111111111",
			Service: svc, Operation: "UpdatePrimaryRegion", Region: "us-east-1", Time: time.Unix(0, 0),
			RequestID: "r-1", ErrorCode: errorCode, SharedWith: []string{"222222222222"},
			InRegions: []audit.InRegion{{Region: "us-west-2", InvokedBy: "kms.amazonaws.com",
				RequestParameters: map[string]any{"keyId": "west"}, ResponseElements: map[string]any{"keyId": "west"},
				Resources: []audit.Resource{{ARN: "west", Type: "AWS::KMS::Key"}}}},
		}
	}
	if recs := audit.Build(call("ValidationException")); len(recs) != 2 || recs[1].AWSRegion != "us-east-1" {
		t.Fatalf("failed call: %+v", recs)
	}
	recs := audit.Build(call(""))
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[2]
	if r.AWSRegion != "us-west-2" || r.RecipientAccountID != "111111111111" || r.RequestID != "r-1" ||
		r.EventID == recs[0].EventID || r.SharedEventID != "" || r.EventName != "UpdatePrimaryRegion" ||
		r.UserIdentity.InvokedBy != "kms.amazonaws.com" || recs[0].UserIdentity.InvokedBy != "" ||
		string(r.RequestParameters) != `{"keyId":"west"}` || string(r.ResponseElements) != `{"keyId":"west"}` ||
		len(r.Resources) != 1 || r.Resources[0].ARN != "west" {
		t.Errorf("record in us-west-2: %+v", r)
	}
}
