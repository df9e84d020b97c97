package iam

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
	"unicode"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// loginRec is a user's console password. Only salted PBKDF2 hashes are kept; History
// holds the previous ones, newest first, for the password policy's reuse prevention.
type loginRec struct {
	Created       time.Time `json:"created"`
	Changed       time.Time `json:"changed"`
	ResetRequired bool      `json:"resetRequired,omitempty"`
	Hash          string    `json:"hash"`
	History       []string  `json:"history,omitempty"`
}

// passwordPolicy is the account password policy as stored; zero values are IAM's
// defaults (no expiry, no reuse prevention).
type passwordPolicy struct {
	MinLength   int32 `json:"minLength"`
	Symbols     bool  `json:"symbols,omitempty"`
	Numbers     bool  `json:"numbers,omitempty"`
	Upper       bool  `json:"upper,omitempty"`
	Lower       bool  `json:"lower,omitempty"`
	AllowChange bool  `json:"allowChange,omitempty"`
	MaxAge      int32 `json:"maxAge,omitempty"`
	Reuse       int32 `json:"reuse,omitempty"`
	HardExpiry  bool  `json:"hardExpiry,omitempty"`
}

const (
	passwordPolicyKey = "password-policy"
	// pbkdf2Iterations: passwords are never used to sign in to anything here yet (no
	// console), so this favours test speed over the 600,000 OWASP suggests.
	pbkdf2Iterations = 100_000
	// passwordSymbols are the characters IAM's RequireSymbols counts.
	passwordSymbols   = "!@#$%^&*()_+-=[]{}|'"
	errPasswordPolicy = "Password does not conform to the account password policy."
)

func (s *svc) loginHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateLoginProfile", s.createLoginProfile),
		server.Read("GetLoginProfile", s.getLoginProfile),
		server.Write("UpdateLoginProfile", s.updateLoginProfile),
		server.Write("DeleteLoginProfile", s.deleteLoginProfile),
		server.Write("ChangePassword", s.changePassword),
		server.Write("UpdateAccountPasswordPolicy", s.updateAccountPasswordPolicy),
		server.Read("GetAccountPasswordPolicy", s.getAccountPasswordPolicy),
		server.Write("DeleteAccountPasswordPolicy", s.deleteAccountPasswordPolicy),
	}
}

func hashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	return encodeHash(salt, pw)
}

func encodeHash(salt []byte, pw string) string {
	dk, _ := pbkdf2.Key(sha256.New, pw, salt, pbkdf2Iterations, 32)
	return "pbkdf2-sha256$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(dk)
}

func checkHash(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 3 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(encodeHash(salt, pw)), []byte(hash)) == 1
}

func loadPasswordPolicy(tx *store.Tx, account string) (*passwordPolicy, error) {
	return load[passwordPolicy](tx, ns(account, tAccount), passwordPolicyKey)
}

// checkPassword applies the account password policy, or, without one, IAM's default
// policy: at least 8 characters from at least three of upper-case letters, lower-case
// letters, digits and symbols.
func checkPassword(pp *passwordPolicy, pw string) error {
	var upper, lower, digit, symbol bool
	for _, r := range pw {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(passwordSymbols, r) || !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r):
			symbol = true
		}
	}
	n := int32(len([]rune(pw)))
	ok := true
	if pp == nil {
		kinds := 0
		for _, b := range []bool{upper, lower, digit, symbol} {
			if b {
				kinds++
			}
		}
		ok = n >= 8 && kinds >= 3
	} else {
		ok = n >= pp.MinLength && (!pp.Upper || upper) && (!pp.Lower || lower) && (!pp.Numbers || digit) && (!pp.Symbols || symbol)
	}
	if !ok {
		return api.NewPasswordPolicyViolationException(errPasswordPolicy)
	}
	return nil
}

// setPassword checks a new password against the policy and the reuse history and
// stores its hash, keeping the previous one in the history.
func setPassword(tx *store.Tx, account string, lp *loginRec, pw string, now time.Time) error {
	pp, err := loadPasswordPolicy(tx, account)
	if err != nil {
		return err
	}
	if err := checkPassword(pp, pw); err != nil {
		return err
	}
	if lp.Hash != "" {
		if pp != nil && pp.Reuse > 0 {
			prev := append([]string{lp.Hash}, lp.History...)
			for _, h := range prev[:min(int(pp.Reuse), len(prev))] {
				if checkHash(h, pw) {
					return api.NewPasswordPolicyViolationException(errPasswordPolicy)
				}
			}
		}
		lp.History = append([]string{lp.Hash}, lp.History...)
		if len(lp.History) > 24 {
			lp.History = lp.History[:24]
		}
	}
	lp.Hash, lp.Changed = hashPassword(pw), timeUTC(now)
	return nil
}

func noSuchLogin(user string) error {
	return api.NewNoSuchEntityException("Login Profile for User " + user + " cannot be found.")
}

// loginUser resolves the user of a login-profile operation; the root user's console
// password is not IAM's to manage.
func loginUser(c *server.Call, name *string) (*userRec, error) {
	u, root, err := userOrCaller(c, name)
	if err != nil {
		return nil, err
	}
	if root {
		return nil, errValidation("Must specify userName when calling with non-User credentials")
	}
	return u, nil
}

func (s *svc) createLoginProfile(c *server.Call, in *api.CreateLoginProfileRequest) (*api.CreateLoginProfileResponse, error) {
	u, err := loginUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	if in.Password == nil {
		return nil, errValidation("Password is required to create a login profile for an IAM user.")
	}
	lp := &loginRec{Created: timeUTC(c.Now), ResetRequired: in.PasswordResetRequired != nil && *in.PasswordResetRequired}
	if err := setPassword(c.Tx, c.Account, lp, *in.Password, c.Now); err != nil {
		return nil, err
	}
	b, err := json.Marshal(lp)
	if err != nil {
		return nil, err
	}
	ok, err := c.Tx.Insert(ns(c.Account, tLogins), u.ID, b)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewEntityAlreadyExistsException("Login Profile for user " + u.Name + " already exists.")
	}
	return &api.CreateLoginProfileResponse{LoginProfile: &api.LoginProfile{UserName: u.Name, CreateDate: lp.Created, PasswordResetRequired: ptr(lp.ResetRequired)}}, nil
}

func loadLogin(tx *store.Tx, account string, u *userRec) (*loginRec, error) {
	lp, err := load[loginRec](tx, ns(account, tLogins), u.ID)
	if err != nil {
		return nil, err
	}
	if lp == nil {
		return nil, noSuchLogin(u.Name)
	}
	return lp, nil
}

func (s *svc) getLoginProfile(c *server.Call, in *api.GetLoginProfileRequest) (*api.GetLoginProfileResponse, error) {
	u, err := loginUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	lp, err := loadLogin(c.Tx, c.Account, u)
	if err != nil {
		return nil, err
	}
	return &api.GetLoginProfileResponse{LoginProfile: &api.LoginProfile{UserName: u.Name, CreateDate: lp.Created, PasswordResetRequired: ptr(lp.ResetRequired)}}, nil
}

func (s *svc) updateLoginProfile(c *server.Call, in *api.UpdateLoginProfileRequest) (*model.Empty, error) {
	u, err := loadUser(c.Tx, c.Account, in.UserName)
	if err != nil {
		return nil, err
	}
	lp, err := loadLogin(c.Tx, c.Account, u)
	if err != nil {
		return nil, err
	}
	if in.Password != nil {
		if err := setPassword(c.Tx, c.Account, lp, *in.Password, c.Now); err != nil {
			return nil, err
		}
	}
	if in.PasswordResetRequired != nil {
		lp.ResetRequired = *in.PasswordResetRequired
	}
	return &model.Empty{}, c.Tx.PutJSON(ns(c.Account, tLogins), u.ID, lp)
}

func (s *svc) deleteLoginProfile(c *server.Call, in *api.DeleteLoginProfileRequest) (*model.Empty, error) {
	u, err := loginUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	ok, err := c.Tx.Delete(ns(c.Account, tLogins), u.ID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noSuchLogin(u.Name)
	}
	return &model.Empty{}, nil
}

// changePassword is the calling IAM user changing its own password.
func (s *svc) changePassword(c *server.Call, in *api.ChangePasswordRequest) (*model.Empty, error) {
	if c.Principal.Type != auth.IAMUser {
		return nil, api.NewInvalidUserTypeException("Only IAM users can change their own password.")
	}
	u, err := loadByID[userRec](c.Tx, c.Account, tUsers, c.Principal.UserID)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchUser(c.Principal.UserName)
	}
	lp, err := loadLogin(c.Tx, c.Account, u)
	if err != nil {
		return nil, err
	}
	if !checkHash(lp.Hash, in.OldPassword) {
		// IAM's wording for a wrong old password is not documented.
		return nil, model.NewError(403, "AccessDenied", "The old password provided is incorrect.")
	}
	if err := setPassword(c.Tx, c.Account, lp, in.NewPassword, c.Now); err != nil {
		return nil, err
	}
	lp.ResetRequired = false
	return &model.Empty{}, c.Tx.PutJSON(ns(c.Account, tLogins), u.ID, lp)
}

// updateAccountPasswordPolicy replaces the whole policy: a parameter left out goes
// back to its default, as IAM documents (UpdateAccountPasswordPolicy: a minimum length
// of 6, every other requirement off). The default of an account without a policy (8
// characters, three kinds) is another thing, checkPassword's.
func (s *svc) updateAccountPasswordPolicy(c *server.Call, in *api.UpdateAccountPasswordPolicyRequest) (*model.Empty, error) {
	b := func(p *bool) bool { return p != nil && *p }
	i := func(p *int32, def int32) int32 {
		if p == nil {
			return def
		}
		return *p
	}
	pp := passwordPolicy{
		MinLength: i(in.MinimumPasswordLength, 6), Symbols: b(in.RequireSymbols), Numbers: b(in.RequireNumbers),
		Upper: b(in.RequireUppercaseCharacters), Lower: b(in.RequireLowercaseCharacters), AllowChange: b(in.AllowUsersToChangePassword),
		MaxAge: i(in.MaxPasswordAge, 0), Reuse: i(in.PasswordReusePrevention, 0), HardExpiry: b(in.HardExpiry),
	}
	return &model.Empty{}, c.Tx.PutJSON(ns(c.Account, tAccount), passwordPolicyKey, pp)
}

func noSuchPasswordPolicy(account string) error {
	return api.NewNoSuchEntityException("The Password Policy with domain name " + account + " cannot be found.")
}

func (s *svc) getAccountPasswordPolicy(c *server.Call, _ *model.Empty) (*api.GetAccountPasswordPolicyResponse, error) {
	pp, err := loadPasswordPolicy(c.Tx, c.Account)
	if err != nil {
		return nil, err
	}
	if pp == nil {
		return nil, noSuchPasswordPolicy(c.Account)
	}
	out := &api.PasswordPolicy{
		MinimumPasswordLength: ptr(pp.MinLength), RequireSymbols: ptr(pp.Symbols), RequireNumbers: ptr(pp.Numbers),
		RequireUppercaseCharacters: ptr(pp.Upper), RequireLowercaseCharacters: ptr(pp.Lower),
		AllowUsersToChangePassword: ptr(pp.AllowChange), ExpirePasswords: ptr(pp.MaxAge > 0),
	}
	if pp.MaxAge > 0 {
		out.MaxPasswordAge = ptr(pp.MaxAge)
	}
	if pp.Reuse > 0 {
		out.PasswordReusePrevention = ptr(pp.Reuse)
	}
	if pp.HardExpiry {
		out.HardExpiry = ptr(true)
	}
	return &api.GetAccountPasswordPolicyResponse{PasswordPolicy: out}, nil
}

func (s *svc) deleteAccountPasswordPolicy(c *server.Call, _ *model.Empty) (*model.Empty, error) {
	ok, err := c.Tx.Delete(ns(c.Account, tAccount), passwordPolicyKey)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noSuchPasswordPolicy(c.Account)
	}
	return &model.Empty{}, nil
}
