package auth

import (
	"crypto/rand"
	b32 "encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/palisade/palisade/internal/store"
)

// Session describes temporary credentials: everything STS decided when it issued
// them, carried inside the session token so that any Palisade node holding the master
// key can check a request without reading the store.
type Session struct {
	// Op is the STS operation that issued the credentials: AssumeRole,
	// AssumeRoleWithWebIdentity, AssumeRoleWithSAML, GetSessionToken or
	// GetFederationToken.
	Op      string    `json:"op"`
	Issued  time.Time `json:"iat"`
	Expires time.Time `json:"exp"`
	// MFA is true when the session was authenticated with an MFA device, at MFATime
	// (aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge).
	MFA     bool      `json:"mfa,omitempty"`
	MFATime time.Time `json:"mfat,omitzero"`
	// Policy and PolicyARNs are the session policies: an inline document and managed
	// policies by ARN, resolved when a request is authorized.
	Policy     string   `json:"pol,omitempty"`
	PolicyARNs []string `json:"arns,omitempty"`
	// Tags are the session tags (aws:PrincipalTag), TransitiveTagKeys those that
	// pass on to sessions made from this one (role chaining).
	Tags              []Tag    `json:"tags,omitempty"`
	TransitiveTagKeys []string `json:"ttk,omitempty"`
	// SourceIdentity is aws:SourceIdentity, fixed for a chain of sessions.
	SourceIdentity string `json:"src,omitempty"`
	// IssuerARN is the identity the session was made from: the role's ARN with its
	// path for a role session, the IAM user's ARN for a federated user or a
	// GetSessionToken session ("" when the root user made it).
	IssuerARN string `json:"iss,omitempty"`
	// IssuerID is the unique ID of the IAM user behind a federated user, whose
	// policies the session has ("" for the root user).
	IssuerID string `json:"issid,omitempty"`
	// Chained marks a role session made with another role session's credentials.
	Chained bool `json:"chain,omitempty"`
	// FederatedProvider is the OIDC or SAML provider ARN behind a session made by
	// AssumeRoleWithWebIdentity or AssumeRoleWithSAML (aws:FederatedProvider).
	FederatedProvider string `json:"fed,omitempty"`
	// ServiceLinked marks a session of a service-linked role, which SCPs and RCPs do
	// not restrict.
	ServiceLinked bool `json:"slr,omitempty"`
}

// Tag is a session tag.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// Temporary is a freshly issued set of temporary credentials.
type Temporary struct {
	AccessKeyID string
	Secret      string
	Token       string
	Expires     time.Time
}

// Token errors. The server answers them with AWS's InvalidClientTokenId and
// ExpiredToken errors.
var (
	ErrInvalidToken = errors.New("auth: the security token is invalid")
	ErrExpiredToken = errors.New("auth: the security token is expired")
)

// Sessions issues and checks session tokens. A token is the credential itself,
// sealed: the access key ID, its secret, the principal and its Session as JSON,
// encrypted with AES-256-GCM under the master key (store.Sealer) with its own
// associated data. Nothing is stored, so a token is checked on any node without a
// store read, and it cannot be altered or forged without the master key. A token
// stops working at its expiry (Palisade's clock) and when the master key changes.
type Sessions struct {
	sealer *store.Sealer
}

// NewSessions returns the token codec over the master key's sealer.
func NewSessions(sealer *store.Sealer) *Sessions { return &Sessions{sealer: sealer} }

// tokenContext binds sealed tokens to their purpose: a sealed secret access key or
// MFA seed never opens as a token, nor a token as one of them.
const tokenContext = "sts/session-token/v1"

type tokenClaims struct {
	AccessKeyID string    `json:"akid"`
	Secret      string    `json:"sk"`
	Principal   Principal `json:"p"`
	Session     *Session  `json:"s"`
}

// Issue makes temporary credentials for p, whose Session must be set: an ASIA key ID
// that encodes p's account (as AWS's key IDs do), a fresh secret and the token.
func (s *Sessions) Issue(p Principal) (Temporary, error) {
	if p.Session == nil {
		return Temporary{}, errors.New("auth: a session principal needs a Session")
	}
	c := tokenClaims{AccessKeyID: NewKeyID("ASIA", p.Account), Secret: NewSecret(), Principal: p, Session: p.Session}
	c.Principal.AccessKeyID = ""
	raw, err := json.Marshal(c)
	if err != nil {
		return Temporary{}, fmt.Errorf("auth: encode session: %w", err)
	}
	token := base64.StdEncoding.EncodeToString(s.sealer.Seal(raw, tokenContext))
	return Temporary{AccessKeyID: c.AccessKeyID, Secret: c.Secret, Token: token, Expires: p.Session.Expires}, nil
}

// maxToken bounds what is decoded and decrypted: a token with the largest session
// policy and 50 tags stays far below it.
const maxToken = 64 << 10

// Open returns the credential a session token stands for, checked against the access
// key ID that signed the request and judged at now (Palisade's clock). It returns
// ErrInvalidToken for anything not issued by Issue under this master key or not for
// this key, ErrExpiredToken for a genuine token past its expiry.
func (s *Sessions) Open(accessKeyID, token string, now time.Time) (*Credential, error) {
	if token == "" || len(token) > maxToken {
		return nil, ErrInvalidToken
	}
	sealed, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return nil, ErrInvalidToken
	}
	raw, err := s.sealer.Open(sealed, tokenContext)
	if err != nil {
		return nil, ErrInvalidToken
	}
	var c tokenClaims
	if err := json.Unmarshal(raw, &c); err != nil || c.Session == nil || c.AccessKeyID != accessKeyID {
		return nil, ErrInvalidToken
	}
	if !now.Before(c.Session.Expires) {
		return nil, ErrExpiredToken
	}
	p := c.Principal
	p.Session = c.Session
	p.AccessKeyID = accessKeyID
	return &Credential{AccessKeyID: accessKeyID, Secret: []byte(c.Secret), Active: true, Principal: p, Created: c.Session.Issued}, nil
}

// IsTemporaryKeyID reports whether an access key ID is one of temporary credentials.
func IsTemporaryKeyID(id string) bool { return strings.HasPrefix(id, "ASIA") }

// NewKeyID returns an access key ID (prefix AKIA or ASIA) whose 16 characters encode
// account the way AWS's do, so that AccountFromKeyID (and GetAccessKeyInfo) recovers
// it: the first 48 bits of the Base32-decoded suffix hold the account ID shifted left
// by seven random bits.
func NewKeyID(prefix, account string) string {
	var b [10]byte
	rand.Read(b[:])
	acct, err := strconv.ParseUint(account, 10, 64)
	if err != nil || acct >= 1<<40 {
		acct = 0
	}
	var head [8]byte
	binary.BigEndian.PutUint64(head[:], acct<<7|uint64(b[5]&0x7f))
	copy(b[:6], head[2:])
	return prefix + b32.StdEncoding.EncodeToString(b[:])
}

// AccountFromKeyID decodes the account ID an access key ID encodes (see NewKeyID).
// Any well-formed key ID decodes to some account, as with AWS's own key IDs.
func AccountFromKeyID(id string) (string, bool) {
	if len(id) != 20 {
		return "", false
	}
	b, err := b32.StdEncoding.DecodeString(id[4:])
	if err != nil || len(b) != 10 {
		return "", false
	}
	var head [8]byte
	copy(head[2:], b[:6])
	v := binary.BigEndian.Uint64(head[:]) & 0x7fffffffff80 >> 7
	return fmt.Sprintf("%012d", v), true
}

// MayCallIAM reports whether the credentials may call IAM: AWS refuses IAM calls
// made with GetFederationToken credentials, and with GetSessionToken credentials
// obtained without MFA (STS API Reference, GetSessionToken and GetFederationToken),
// as if the token were not valid.
func (s *Session) MayCallIAM() bool {
	switch s.Op {
	case "GetFederationToken":
		return false
	case "GetSessionToken":
		return s.MFA
	}
	return true
}
