package kms

import (
	"encoding/json"
	"strings"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// ServiceClient is KMS as another AWS service uses it on a caller's behalf (S3's
// SSE-KMS): each call is authorized for the caller as KMS authorizes a request made
// through that service — kms:ViaService is "<prefix>.<region>.amazonaws.com",
// kms:CallerAccount the caller's account — against the key policy, IAM and grants,
// and is recorded in CloudTrail as a KMS event invoked by the service.
type ServiceClient struct {
	k      *KMS
	prefix string
}

// ForService returns the client a service with the given endpoint prefix ("s3")
// uses; its "" key ID means the account's AWS managed key of that service
// (alias/aws/<prefix>), created on first use.
func ForService(k *KMS, viaPrefix string) *ServiceClient {
	return &ServiceClient{k: k, prefix: viaPrefix}
}

// GenerateDataKey makes an AES-256 data key under keyID (key ID, key ARN, alias name
// or alias ARN; "" for the service's AWS managed key) with encCtx as the encryption
// context. It returns the plaintext key, its ciphertext blob and the key's ARN; the
// errors are KMS's (NotFoundException, DisabledException, KMSInvalidStateException…)
// and, for a caller the policies do not allow, the calling service's AccessDenied.
func (s *ServiceClient) GenerateDataKey(c *server.Call, keyID string, encCtx map[string]string) (plaintext, blob []byte, keyARN string, err error) {
	var r *keyRec
	if keyID == "" {
		r, err = s.k.managedKey(c, s.prefix)
	} else {
		r, err = s.k.keyOf(c, keyID, true)
	}
	if err != nil {
		return nil, nil, "", err
	}
	if err := s.authorize(c, "GenerateDataKey", r, keyID, encCtx); err != nil {
		return nil, nil, "", err
	}
	pt, blob, err := s.k.dataKey(r, "GenerateDataKey", ptr(api.DataKeySpecAES256), nil, encCtx)
	if err != nil {
		return nil, nil, "", err
	}
	params := map[string]any{"keyId": r.arn(), "keySpec": api.DataKeySpecAES256}
	if len(encCtx) > 0 {
		params["encryptionContext"] = encCtx
	}
	return pt, blob, r.arn(), s.record(c, "GenerateDataKey", r, params)
}

// Decrypt decrypts a data key blob made by GenerateDataKey for the call's caller,
// authorized as GenerateDataKey is.
func (s *ServiceClient) Decrypt(c *server.Call, blob []byte, encCtx map[string]string) (plaintext []byte, keyARN string, err error) {
	r, err := s.k.decryptKey(c, blob, "")
	if err != nil {
		return nil, "", err
	}
	if err := s.authorize(c, "Decrypt", r, "", encCtx); err != nil {
		return nil, "", err
	}
	if err := usable(r, api.KeyUsageTypeENCRYPTDECRYPT, "Decrypt"); err != nil {
		return nil, "", err
	}
	pt, _, _, err := s.k.decrypt(r, blob, nil, encCtx)
	if err != nil {
		return nil, "", err
	}
	params := map[string]any{"encryptionAlgorithm": api.EncryptionAlgorithmSpecSYMMETRICDEFAULT}
	if len(encCtx) > 0 {
		params["encryptionContext"] = encCtx
	}
	return pt, r.arn(), s.record(c, "Decrypt", r, params)
}

// calledVia are the services whose calls to KMS for a caller carry aws:CalledVia;
// only SQS's are recorded to.
var calledVia = map[string]bool{"sqs": true}

// authorize makes KMS's check of an operation through the service.
func (s *ServiceClient) authorize(c *server.Call, op string, r *keyRec, keyID string, encCtx map[string]string) error {
	ctx := opContext(c, op, nil, r)
	ctx["kms:viaservice"] = []string{s.prefix + "." + c.Region + ".amazonaws.com"}
	// The service acts with the caller's own credentials (AWS's forward access
	// sessions), which is when aws:ViaAWSService is true; a service principal acting
	// for itself (CloudTrail delivering) is not a forwarded caller.
	if c.Principal.Type != auth.AWSService {
		ctx["aws:viaawsservice"] = []string{"true"}
		if calledVia[s.prefix] {
			// The forwarding service is the caller's chain of one (recorded, 2026:
			// radkawar/stackd testdata/aws/sqs/forwarding.json, a key policy's deny
			// unless aws:CalledViaLast is sqs.amazonaws.com let SQS through).
			via := s.prefix + ".amazonaws.com"
			ctx["aws:calledvia"] = []string{via}
			ctx["aws:calledviafirst"] = []string{via}
			ctx["aws:calledvialast"] = []string{via}
		}
	}
	ctx["kms:encryptionalgorithm"] = []string{api.EncryptionAlgorithmSpecSYMMETRICDEFAULT}
	addEncContext(ctx, encCtx)
	if c.SourceAccount != "" {
		ctx["aws:sourceaccount"] = []string{c.SourceAccount}
	}
	if c.SourceArn != "" {
		ctx["aws:sourcearn"] = []string{c.SourceArn}
	}
	if strings.Contains(keyID, "alias/") {
		ctx["kms:requestalias"] = []string{aliasName(keyID)}
	}
	chks, err := s.k.keyCheck(c, "kms:"+op, op, r, ctx, encCtx, nil)
	if err != nil {
		return err
	}
	return c.AuthorizeAll(chks)
}

// record writes the KMS event the service's call caused, as CloudTrail shows it:
// the caller's identity, invoked by the service.
func (s *ServiceClient) record(c *server.Call, op string, r *keyRec, params map[string]any) error {
	id := audit.Identity(c.Principal)
	id.InvokedBy = s.prefix + ".amazonaws.com"
	if c.Principal.Type == auth.AWSService {
		// A service writing through another (CloudTrail's SSE-KMS log files through
		// S3) is the one KMS's record names as invoking.
		id.InvokedBy = c.Principal.ARN
	}
	reqParams, _ := json.Marshal(params)
	rec := audit.Record{
		EventVersion: audit.EventVersion, UserIdentity: id, EventTime: audit.FormatTime(c.Now), EventSource: "kms.amazonaws.com",
		EventName: op, AWSRegion: c.Region, SourceIPAddress: id.InvokedBy, UserAgent: id.InvokedBy,
		RequestParameters: reqParams, ResponseElements: json.RawMessage("null"), RequestID: auth.NewUUID(), EventID: auth.NewUUID(),
		ReadOnly: true, Resources: []audit.Resource{{ARN: r.arn(), AccountID: r.Account, Type: "AWS::KMS::Key", AccountFirst: true}},
		EventType: "AwsApiCall", ManagementEvent: true, RecipientAccountID: r.Account, EventCategory: "Management",
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	ev := &store.Event{Time: c.Now.UnixMilli(), Account: r.Account, Region: r.Region, Source: audit.Source, Kind: audit.Kind, Data: data}
	return s.k.update(c, func(tx *store.Tx) error { return tx.AppendEvent(ev) })
}
