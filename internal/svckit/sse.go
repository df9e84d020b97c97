package svckit

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// DataKeys is KMS as a service uses it for server-side encryption on a caller's
// behalf: each call is authorized for c's principal (an IAM identity, or an AWS
// service principal for a service's own deliveries) against the key policy, IAM and
// grants, with kms:ViaService naming the service, and is recorded in CloudTrail.
// kms.ForService implements it; "" as keyID is the service's AWS managed key.
type DataKeys interface {
	GenerateDataKey(c *server.Call, keyID string, encCtx map[string]string) (plaintext, blob []byte, keyARN string, err error)
	Decrypt(c *server.Call, blob []byte, encCtx map[string]string) (plaintext []byte, keyARN string, err error)
}

// NewCall makes a server.Call for work no request carries (server.Server.NewCall):
// a service acting as its service principal.
type NewCall func(ctx context.Context, service, op string, p auth.Principal, account, region string) (*server.Call, error)

// ServicePrincipal is an AWS service principal ("sns.amazonaws.com") as a caller.
func ServicePrincipal(name string) auth.Principal {
	return auth.Principal{Type: auth.AWSService, ARN: name, UserID: name}
}

// SSE is a service's side of SSE-KMS: data keys reused for a period per resource,
// key and principal, as SQS's KmsDataKeyReusePeriodSeconds describes ("the length of
// time for which Amazon SQS can reuse a data key to encrypt or decrypt messages
// before calling AWS KMS again"). A principal's first use in a period calls KMS as
// that principal, so its permissions and the key policy decide; later uses in the
// period do not call KMS. Keys enter the cache when the call's transaction commits.
// Safe for concurrent use.
type SSE struct {
	keys DataKeys
	// managed is the AWS managed key's alias ("alias/aws/sqs"), which KMS creates on
	// first use when keyID is "".
	managed string

	// ShareRoleSessions lets the sessions of one role (AssumeRole) with the same
	// session dimensions share a data key, whatever their session names and
	// credentials: SNS's publication reuse keys on the role, not the session
	// (recorded, 2026: radkawar/stackd testdata/aws/sns/encryption_equivalent_sessions.json).
	ShareRoleSessions bool
	// RoleSessionPolicies lets the sessions of one role (AssumeRole) share a data key
	// when their session policies are the same, whatever their session names, tags
	// and source identity: an inline policy alike but for whitespace, managed policy
	// ARNs in the same order. SQS's reuse keys so (recorded, 2026: radkawar/stackd
	// testdata/aws/sqs/cache_scope.json: on a warm queue, sessions that KMS refuses by
	// their name, tag or source identity still send and receive, while a session
	// with a narrower or reordered session policy, or managed ARNs reversed, is
	// refused).
	RoleSessionPolicies bool

	mu  sync.Mutex
	gen map[string]cachedKey // producer: key, context, principal → data key
	dec map[string]cachedKey // consumer: blob, context, principal → plaintext
}

// authority is whose permissions a cached data key stands for: the principal, and
// for temporary credentials everything of the session that can narrow them (session
// policies, tags, MFA...), so that a restricted session never uses the key a less
// restricted one of the same name obtained (recorded, 2026: radkawar/stackd
// testdata/aws/sns/encryption_role_cache.json: a restricted session of the same
// role and session name as the warm publisher is refused by KMS).
func (s *SSE) authority(p auth.Principal) string {
	ss := p.Session
	if ss == nil {
		return p.ARN
	}
	id := p.ARN
	if s.RoleSessionPolicies && ss.Op == "AssumeRole" && ss.IssuerARN != "" {
		pol := ss.Policy
		var b bytes.Buffer
		if json.Compact(&b, []byte(pol)) == nil {
			pol = b.String()
		}
		dims, _ := json.Marshal(struct {
			Policy       string
			PolicyARNs   []string
			MFA, Chained bool
		}{pol, ss.PolicyARNs, ss.MFA, ss.Chained})
		return ss.IssuerARN + "\x00" + string(dims)
	}
	if s.ShareRoleSessions && ss.Op == "AssumeRole" && ss.IssuerARN != "" {
		id = ss.IssuerARN
	}
	dims, _ := json.Marshal(struct {
		Op, Policy, Source, Federated string
		PolicyARNs                    []string
		Tags                          []auth.Tag
		MFA, Chained                  bool
	}{ss.Op, ss.Policy, ss.SourceIdentity, ss.FederatedProvider, ss.PolicyARNs, ss.Tags, ss.MFA, ss.Chained})
	return id + "\x00" + string(dims)
}

type cachedKey struct {
	plain, blob []byte
	until       time.Time
}

// NewSSE returns the SSE of a service whose AWS managed key is managedAlias.
func NewSSE(keys DataKeys, managedAlias string) *SSE {
	return &SSE{keys: keys, managed: managedAlias, gen: map[string]cachedKey{}, dec: map[string]cachedKey{}}
}

// keyRef is the key ID KMS is asked for: "" for the service's AWS managed key, by
// alias name or alias ARN.
func (s *SSE) keyRef(keyID string) string {
	if keyID == s.managed || strings.HasSuffix(keyID, ":"+s.managed) {
		return ""
	}
	return keyID
}

func cacheKey(parts []string, encCtx map[string]string) string {
	ks := make([]string, 0, len(encCtx))
	for k := range encCtx {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		parts = append(parts, k, encCtx[k])
	}
	return strings.Join(parts, "\x00")
}

// DataKey returns the data key c's principal encrypts with under keyID and the
// encryption context, and its encrypted blob to store beside the data. A new key is
// generated with kms:GenerateDataKey and opened once with kms:Decrypt (producers
// need both, as AWS documents for SQS and SNS); it is reused for reuse. Errors are
// KMS's, for the caller to turn into its own.
func (s *SSE) DataKey(c *server.Call, keyID string, encCtx map[string]string, reuse time.Duration) (plain, blob []byte, err error) {
	ck := cacheKey([]string{keyID, s.authority(c.Principal)}, encCtx)
	s.mu.Lock()
	k, ok := s.gen[ck]
	s.mu.Unlock()
	if ok && c.Now.Before(k.until) {
		return k.plain, k.blob, nil
	}
	plain, blob, _, err = s.keys.GenerateDataKey(c, s.keyRef(keyID), encCtx)
	if err != nil {
		return nil, nil, err
	}
	if _, _, err := s.keys.Decrypt(c, blob, encCtx); err != nil {
		return nil, nil, err
	}
	entry := cachedKey{plain: plain, blob: blob, until: c.Now.Add(reuse)}
	c.Tx.AfterCommit(func() {
		s.mu.Lock()
		s.gen[ck] = entry
		s.dec[cacheKey([]string{string(blob), s.authority(c.Principal)}, encCtx)] = entry
		s.mu.Unlock()
	})
	return plain, blob, nil
}

// Open returns the plaintext of a data key blob for c's principal, calling
// kms:Decrypt when the principal has not opened it within reuse.
func (s *SSE) Open(c *server.Call, blob []byte, encCtx map[string]string, reuse time.Duration) ([]byte, error) {
	ck := cacheKey([]string{string(blob), s.authority(c.Principal)}, encCtx)
	s.mu.Lock()
	k, ok := s.dec[ck]
	s.mu.Unlock()
	if ok && c.Now.Before(k.until) {
		return k.plain, nil
	}
	plain, _, err := s.keys.Decrypt(c, blob, encCtx)
	if err != nil {
		return nil, err
	}
	entry := cachedKey{plain: plain, blob: blob, until: c.Now.Add(reuse)}
	c.Tx.AfterCommit(func() {
		s.mu.Lock()
		s.dec[ck] = entry
		s.mu.Unlock()
	})
	return plain, nil
}

// Seal encrypts data with a 256-bit data key (AES-GCM): nonce then ciphertext.
func Seal(key, data []byte) ([]byte, error) {
	g, err := gcm(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(data)+g.Overhead())
	rand.Read(nonce)
	return g.Seal(nonce, nonce, data, nil), nil
}

// Unseal reverses Seal.
func Unseal(key, sealed []byte) ([]byte, error) {
	g, err := gcm(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < g.NonceSize() {
		return nil, errors.New("svckit: sealed data too short")
	}
	return g.Open(nil, sealed[:g.NonceSize()], sealed[g.NonceSize():], nil)
}

func gcm(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, errors.New("svckit: data keys are 256 bits")
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// KMSError is a KMS failure as a service that called KMS reports it: KMS's error
// code (AccessDeniedException, NotFoundException, DisabledException,
// KMSInvalidStateException) and its message followed by the AWS SDK's details, as
// SQS and SNS show them ("… (Service: AWSKMS; Status Code: 400; Error Code:
// AccessDeniedException; Request ID: …; Proxy: null)"). A denied kms:Decrypt says
// what KMS says of a ciphertext the caller may not open. ok is false for errors
// that are not KMS's.
func KMSError(err error, decrypt bool) (code, msg string, ok bool) {
	var me *model.Error
	if !errors.As(err, &me) {
		return "", "", false
	}
	code, msg = me.Code, me.Message
	switch {
	// A denial comes as the calling service's access-denied error (c.Authorize).
	case strings.HasPrefix(code, "AccessDenied"), code == "AuthorizationError":
		code = "AccessDeniedException"
		if decrypt {
			msg = "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access."
		}
	case code == "NotFoundException", code == "DisabledException", code == "KMSInvalidStateException", code == "InvalidCiphertextException":
	default:
		return "", "", false
	}
	return code, msg + " (Service: AWSKMS; Status Code: 400; Error Code: " + code + "; Request ID: " + auth.NewUUID() + "; Proxy: null)", true
}
