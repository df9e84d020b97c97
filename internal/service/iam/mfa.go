package iam

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"image/png"
	"net/url"
	"strings"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// maxMFADevices is IAM's quota of MFA devices per user.
const maxMFADevices = 8

// TOTP windows, in 30-second steps, as AWS was recorded accepting codes
// (radkawar/stackd testdata/aws/iam/mfa_pair_window.json, mfa_resync_anchor.json,
// mfa_authentication_drift.json, mfa.json): EnableMFADevice and ResyncMFADevice take
// two consecutive codes whose first is at most 999 steps (about eight hours) from
// the device's clock as last synchronised (real time for a new device; it is kept
// across deactivation); STS takes a code at most two steps from the device's clock
// (mfa_propagation.json).
const (
	pairWindow   = 999
	signInWindow = 2
	totpPeriod   = 30
)

// STS locks a device after mfaLockTries attempts in a quick run, its right codes
// included: then it refuses every code of the device, the right one included, as
// it refuses a device that is not the user's; the user's other devices still
// work. Successes count too: AWS refused the right code after three right and six
// wrong ones, took it after three right and five wrong, after one right and seven
// wrong, and after eight wrong alone (recorded, 2026: mfa_rejection_success_count.json,
// mfa_rejection_threshold.json, mfa_rejection_no_baseline.json, mfa_rejection.json).
// Every recorded run took under 20 seconds and one crossed a minute boundary
// without its count restarting (mfa_rejection.json, failures_10): Palisade counts
// the attempts of the last mfaTryWindow. Slower guessing is still stopped after
// mfaLockFailures wrong codes in a row (nine wrong codes alone locked the device:
// mfa_rejection_recovery.json).
//
// The lock held through 75, 90, 105 and 120.0 seconds of quiet and was gone after
// 120.7 (mfa_rejection_recovery.json, mfa_rejection_success_count.json,
// mfa_rejection.json), but three times AWS took a code ten seconds after the lock
// once a minute boundary had passed (mfa_rejection_aligned.json,
// mfa_rejection_aligned_second.json, mfa_rejection_odd_boundary.json): which of
// the two applies was not settled, and Palisade, never taking a code AWS might
// refuse, holds the lock for mfaLockout after the last attempt: AWS refused a
// code 120.8 seconds after the start of the last attempt (quiet_120).
const (
	mfaLockTries    = 9
	mfaTryWindow    = time.Minute
	mfaLockFailures = 9
	mfaLockout      = 121 * time.Second
)

// mfaRec is a virtual MFA device. Seed is the Base32 secret sealed under the master
// key; it is returned once, by CreateVirtualMFADevice, and never logged.
type mfaRec struct {
	Serial  string     `json:"serial"`
	Path    string     `json:"path"`
	Name    string     `json:"name"`
	Seed    []byte     `json:"seed"`
	Created time.Time  `json:"created"`
	UserID  string     `json:"user,omitempty"`
	Enabled *time.Time `json:"enabled,omitempty"`
	// LastStep is the step of the second code EnableMFADevice or ResyncMFADevice last
	// took: the next pair must come after it (AWS refused a resync whose first code
	// was that step or earlier; mfa_reuse.json, mfa.json). Drift is how many steps
	// the device's clock was ahead of real time then; the next pair is looked for
	// around it.
	LastStep int64 `json:"lastStep,omitempty"`
	Drift    int64 `json:"drift,omitempty"`
	// SignIns are the steps of the codes STS accepted lately: each is accepted once,
	// in any order (mfa_reuse.json, mfa_authentication_drift.json). The codes of
	// EnableMFADevice and ResyncMFADevice are not among them (mfa_synchronization_codes.json).
	SignIns []int64 `json:"signIns,omitempty"`
	// Failures counts the codes STS refused since it last accepted one, Tries is
	// Palisade's time of each STS attempt of the last mfaTryWindow, and LockedAt the
	// time of the last attempt since the device was locked (mfaLockTries).
	Failures int         `json:"failures,omitempty"`
	Tries    []time.Time `json:"tries,omitempty"`
	LockedAt time.Time   `json:"lockedAt,omitzero"`
	Tags     []api.Tag   `json:"tags,omitempty"`
}

func (m *mfaRec) tagList() *[]api.Tag { return &m.Tags }

// mfaLock is what STS counted against a deleted device. AWS keeps it by serial
// number: a device re-created under the same name, with a new seed, was refused as
// locked (recorded, 2026: mfa_recreation_limited.json, new_later).
type mfaLock struct {
	Failures int         `json:"failures,omitempty"`
	Tries    []time.Time `json:"tries,omitempty"`
	LockedAt time.Time   `json:"lockedAt,omitzero"`
}

func sealContextMFA(serial string) string { return "mfa-seed/" + serial }

func (s *svc) mfaHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateVirtualMFADevice", s.createVirtualMFADevice),
		server.Write("EnableMFADevice", s.enableMFADevice),
		server.Write("ResyncMFADevice", s.resyncMFADevice),
		server.Write("DeactivateMFADevice", s.deactivateMFADevice),
		server.Write("DeleteVirtualMFADevice", s.deleteVirtualMFADevice),
		server.Read("ListMFADevices", s.listMFADevices),
		server.Read("ListVirtualMFADevices", s.listVirtualMFADevices),
		server.Read("GetMFADevice", s.getMFADevice),
		server.Write("TagMFADevice", s.tagMFADevice),
		server.Write("UntagMFADevice", s.untagMFADevice),
		server.Read("ListMFADeviceTags", s.listMFADeviceTags),
	}
}

func noSuchMFA(serial string) error {
	return api.NewNoSuchEntityException("VirtualMFADevice with serial number " + serial + " doesn't exist.")
}

func loadMFA(tx *store.Tx, account, serial string) (*mfaRec, error) {
	m, err := load[mfaRec](tx, ns(account, tMFA), lk(serial))
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, noSuchMFA(serial)
	}
	return m, nil
}

func putMFA(tx *store.Tx, account string, m *mfaRec) error {
	return tx.PutJSON(ns(account, tMFA), lk(m.Serial), m)
}

// createVirtualMFADevice makes a device with a fresh 320-bit seed (64 Base32
// characters, as IAM's) and the QR code authenticator apps scan.
func (s *svc) createVirtualMFADevice(c *server.Call, in *api.CreateVirtualMFADeviceRequest) (*api.CreateVirtualMFADeviceResponse, error) {
	tags, err := newTags(in.Tags, "TagsPerMFADevice")
	if err != nil {
		return nil, err
	}
	path := pathOr(in.Path)
	serial := iamARN(c.Account, "mfa", path, in.VirtualMFADeviceName)
	raw := make([]byte, 40)
	rand.Read(raw)
	seed := base32.StdEncoding.EncodeToString(raw)
	m := &mfaRec{Serial: serial, Path: path, Name: in.VirtualMFADeviceName, Seed: s.sealer.Seal([]byte(seed), sealContextMFA(serial)), Created: timeUTC(c.Now), Tags: tags}
	if l, err := load[mfaLock](c.Tx, ns(c.Account, tMFALock), lk(serial)); err != nil {
		return nil, err
	} else if l != nil {
		m.Failures, m.Tries, m.LockedAt = l.Failures, l.Tries, l.LockedAt
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	ok, err := c.Tx.Insert(ns(c.Account, tMFA), lk(serial), b)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewEntityAlreadyExistsException("MFA device already exists.")
	}
	qr, err := qrCode(in.VirtualMFADeviceName, c.Account, seed)
	if err != nil {
		// Only a name too long for any QR code gets here; IAM documents no limit.
		return nil, model.NewError(400, "ValidationError", "The virtual MFA device name is too long to be encoded in a QR code.")
	}
	return &api.CreateVirtualMFADeviceResponse{VirtualMFADevice: &api.VirtualMFADevice{SerialNumber: serial, Base32StringSeed: []byte(seed), QRCodePNG: qr, Tags: tags}}, nil
}

// qrCode renders otpauth://totp/NAME@ACCOUNT?secret=SEED, the URI IAM documents for
// QRCodePNG, as a PNG: 200 pixels square, or larger when a long name needs more
// modules than that (medium error correction, low when even that does not fit).
func qrCode(name, account, seed string) ([]byte, error) {
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + name + "@" + account, RawQuery: "secret=" + seed}
	code, err := qr.Encode(u.String(), qr.M, qr.Auto)
	if err != nil {
		if code, err = qr.Encode(u.String(), qr.L, qr.Auto); err != nil {
			return nil, fmt.Errorf("iam: MFA QR code: %w", err)
		}
	}
	side := max(200, code.Bounds().Dx())
	img, err := barcode.Scale(code, side, side)
	if err != nil {
		return nil, fmt.Errorf("iam: MFA QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// totpCodes returns the device's code at a time step.
func (s *svc) totpCodes(m *mfaRec) (func(step int64) string, error) {
	seed, err := s.sealer.Open(m.Seed, sealContextMFA(m.Serial))
	if err != nil {
		return nil, fmt.Errorf("iam: MFA seed of %s: %w", m.Serial, err)
	}
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	return func(step int64) string {
		c, _ := totp.GenerateCodeCustom(string(seed), time.Unix(step*totpPeriod, 0), opts)
		return c
	}, nil
}

// matchPair finds the step t at which code1 is the device's code and code2 the next
// one, within pairWindow steps of the device's clock and after the last pair taken,
// and records it as the device's synchronisation. It reports false when there is
// none.
func (s *svc) matchPair(m *mfaRec, code1, code2 string, now time.Time) (bool, error) {
	code, err := s.totpCodes(m)
	if err != nil {
		return false, err
	}
	real := now.Unix() / totpPeriod
	cur := real + m.Drift
	for t := cur - pairWindow; t <= cur+pairWindow; t++ {
		if t <= m.LastStep || code(t) != code1 || code(t+1) != code2 {
			continue
		}
		m.LastStep, m.Drift = t+1, t+1-real
		return true, nil
	}
	return false, nil
}

func invalidCode() error {
	return api.NewInvalidAuthenticationCodeException("Authentication code for device is not valid.")
}

func (s *svc) enableMFADevice(c *server.Call, in *api.EnableMFADeviceRequest) (*model.Empty, error) {
	u, err := loadUser(c.Tx, c.Account, in.UserName)
	if err != nil {
		return nil, err
	}
	if err := selfMFARequired(c, u); err != nil {
		return nil, err
	}
	m, err := loadMFA(c.Tx, c.Account, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	switch m.UserID {
	case "":
	case u.ID:
		return nil, api.NewEntityAlreadyExistsException("MFA Device for user " + u.Name + " already exists.")
	default:
		return nil, api.NewEntityAlreadyExistsException("MFA Device is already in use.")
	}
	n, err := countPrefix(c.Tx, ns(c.Account, tUserMFA), u.ID+"/")
	if err != nil {
		return nil, err
	}
	if n >= maxMFADevices {
		return nil, limitExceeded(fmt.Sprintf("Cannot exceed quota for MFADevicesPerUser: %d", maxMFADevices))
	}
	ok, err := s.matchPair(m, in.AuthenticationCode1, in.AuthenticationCode2, time.Now())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalidCode()
	}
	m.UserID, m.Enabled = u.ID, ptr(timeUTC(c.Now))
	if err := putMFA(c.Tx, c.Account, m); err != nil {
		return nil, err
	}
	return &model.Empty{}, c.Tx.Put(ns(c.Account, tUserMFA), u.ID+"/"+m.Serial, nil)
}

// msgSelfMFA is AWS's refusal of a user who manages their own MFA devices without
// having signed in with one (mfa_self_management.json).
const msgSelfMFA = "To complete this action, please ensure that you are authenticated with an MFA device that is enabled for this user."

// selfMFARequired refuses an IAM user who already has an MFA device enabled and
// enables or deactivates one of their own without an MFA-authenticated session: a
// stolen access key must not be enough to swap the user's second factor (AWS's
// security bulletin AWS-2023-001). AWS refused before looking at the device (a
// missing serial, or one already the user's, got the same answer) and let the same
// key enable a device for another user, and resync the user's own
// (recorded, 2026: mfa_self_management.json).
func selfMFARequired(c *server.Call, u *userRec) error {
	p := c.Principal
	if p.Type != auth.IAMUser || p.UserID != u.ID || (p.Session != nil && p.Session.MFA) {
		return nil
	}
	n, err := countPrefix(c.Tx, ns(c.Account, tUserMFA), u.ID+"/")
	if err != nil || n == 0 {
		return err
	}
	return model.NewError(403, "AccessDenied", "%s", msgSelfMFA)
}

// assignedMFA returns the device with that serial when it is enabled for the user.
func assignedMFA(tx *store.Tx, account string, u *userRec, serial string) (*mfaRec, error) {
	m, err := load[mfaRec](tx, ns(account, tMFA), lk(serial))
	if err != nil {
		return nil, err
	}
	if m == nil || m.UserID != u.ID {
		// AWS's answer for a device that is not the user's (mfa.json); for one that
		// does not exist at all, inferred.
		return nil, api.NewNoSuchEntityException("MFA Device invalid for user.")
	}
	return m, nil
}

func (s *svc) resyncMFADevice(c *server.Call, in *api.ResyncMFADeviceRequest) (*model.Empty, error) {
	u, err := loadUser(c.Tx, c.Account, in.UserName)
	if err != nil {
		return nil, err
	}
	m, err := assignedMFA(c.Tx, c.Account, u, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	ok, err := s.matchPair(m, in.AuthenticationCode1, in.AuthenticationCode2, time.Now())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalidCode()
	}
	return &model.Empty{}, putMFA(c.Tx, c.Account, m)
}

func (s *svc) deactivateMFADevice(c *server.Call, in *api.DeactivateMFADeviceRequest) (*model.Empty, error) {
	u, root, err := userOrCaller(c, in.UserName)
	if err != nil {
		return nil, err
	}
	if root {
		return nil, noSuchMFA(in.SerialNumber)
	}
	if err := selfMFARequired(c, u); err != nil {
		return nil, err
	}
	m, err := assignedMFA(c.Tx, c.Account, u, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	// The device keeps its synchronisation: enabled again, it takes codes around
	// the clock it had (mfa_resync_anchor.json).
	m.UserID, m.Enabled, m.SignIns = "", nil, nil
	if err := putMFA(c.Tx, c.Account, m); err != nil {
		return nil, err
	}
	_, err = c.Tx.Delete(ns(c.Account, tUserMFA), u.ID+"/"+m.Serial)
	return &model.Empty{}, err
}

func (s *svc) deleteVirtualMFADevice(c *server.Call, in *api.DeleteVirtualMFADeviceRequest) (*model.Empty, error) {
	m, err := loadMFA(c.Tx, c.Account, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	if m.UserID != "" {
		return nil, deleteConflict("MFA VirtualDevice in use. Must deactivate first.")
	}
	if _, err := c.Tx.Delete(ns(c.Account, tMFA), lk(m.Serial)); err != nil {
		return nil, err
	}
	l := mfaLock{Failures: m.Failures, Tries: m.Tries, LockedAt: m.LockedAt}
	if l.Failures == 0 && len(l.Tries) == 0 && l.LockedAt.IsZero() {
		_, err = c.Tx.Delete(ns(c.Account, tMFALock), lk(m.Serial))
		return &model.Empty{}, err
	}
	return &model.Empty{}, c.Tx.PutJSON(ns(c.Account, tMFALock), lk(m.Serial), l)
}

func (s *svc) listMFADevices(c *server.Call, in *api.ListMFADevicesRequest) (*api.ListMFADevicesResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	u, root, err := userOrCaller(c, in.UserName)
	if err != nil {
		return nil, err
	}
	all := []api.MFADevice{}
	if !root {
		serials, err := suffixes(c.Tx, ns(c.Account, tUserMFA), u.ID+"/")
		if err != nil {
			return nil, err
		}
		for _, serial := range serials {
			m, err := load[mfaRec](c.Tx, ns(c.Account, tMFA), lk(serial))
			if err != nil {
				return nil, err
			}
			if m != nil && m.Enabled != nil {
				all = append(all, api.MFADevice{UserName: u.Name, SerialNumber: m.Serial, EnableDate: *m.Enabled})
			}
		}
	}
	out, trunc, marker, err := slicePage(all, p)
	if err != nil {
		return nil, err
	}
	return &api.ListMFADevicesResponse{MFADevices: out, IsTruncated: trunc, Marker: marker}, nil
}

func (s *svc) listVirtualMFADevices(c *server.Call, in *api.ListVirtualMFADevicesRequest) (*api.ListVirtualMFADevicesResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	want := api.AssignmentStatusTypeAny
	if in.AssignmentStatus != nil {
		want = *in.AssignmentStatus
	}
	keep := func(m *mfaRec) bool {
		return want == api.AssignmentStatusTypeAny || (want == api.AssignmentStatusTypeAssigned) == (m.UserID != "")
	}
	devices, trunc, marker, err := page(c.Tx, ns(c.Account, tMFA), "", p, keep, func(m *mfaRec) (api.VirtualMFADevice, error) {
		v := api.VirtualMFADevice{SerialNumber: m.Serial, EnableDate: m.Enabled, Tags: m.Tags}
		if m.UserID != "" {
			u, err := loadByID[userRec](c.Tx, c.Account, tUsers, m.UserID)
			if err != nil {
				return v, err
			}
			if u != nil {
				out := u.out(c.Account, false)
				v.User = &out
			}
		}
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	return &api.ListVirtualMFADevicesResponse{VirtualMFADevices: devices, IsTruncated: trunc, Marker: marker}, nil
}

// msgGetVirtualMFA is AWS's answer to GetMFADevice for a virtual MFA device (mfa.json).
const msgGetVirtualMFA = "The MFA device serial number sent in the request is invalid or not supported by this API. " +
	"Currently, only hardware FIDO security keys are supported. Please use the compatible device or API."

// getMFADevice: GetMFADevice describes FIDO security keys only; every device
// Palisade serves is a virtual one, which AWS refuses (mfa.json).
func (s *svc) getMFADevice(c *server.Call, in *api.GetMFADeviceRequest) (*api.GetMFADeviceResponse, error) {
	if strings.Contains(in.SerialNumber, ":mfa/") {
		return nil, model.NewError(400, "ValidationError", msgGetVirtualMFA)
	}
	m, err := loadMFA(c.Tx, c.Account, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	out := &api.GetMFADeviceResponse{SerialNumber: m.Serial, EnableDate: m.Enabled}
	if m.UserID != "" {
		u, err := loadByID[userRec](c.Tx, c.Account, tUsers, m.UserID)
		if err != nil {
			return nil, err
		}
		if u != nil {
			out.UserName = ptr(u.Name)
		}
	}
	if in.UserName != nil && (out.UserName == nil || lk(*out.UserName) != lk(*in.UserName)) {
		return nil, noSuchMFA(in.SerialNumber)
	}
	return out, nil
}

func (s *svc) tagMFADevice(c *server.Call, in *api.TagMFADeviceRequest) (*model.Empty, error) {
	return &model.Empty{}, tagRecord[mfaRec](c.Tx, ns(c.Account, tMFA), lk(in.SerialNumber), noSuchMFA(in.SerialNumber), in.Tags, "TagsPerMFADevice")
}

func (s *svc) untagMFADevice(c *server.Call, in *api.UntagMFADeviceRequest) (*model.Empty, error) {
	return &model.Empty{}, untagRecord[mfaRec](c.Tx, ns(c.Account, tMFA), lk(in.SerialNumber), noSuchMFA(in.SerialNumber), in.TagKeys, "TagsPerMFADevice")
}

func (s *svc) listMFADeviceTags(c *server.Call, in *api.ListMFADeviceTagsRequest) (*api.ListMFADeviceTagsResponse, error) {
	tags, trunc, marker, err := listTags[mfaRec](c.Tx, ns(c.Account, tMFA), lk(in.SerialNumber), noSuchMFA(in.SerialNumber), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &api.ListMFADeviceTagsResponse{Tags: tags, IsTruncated: trunc, Marker: marker}, nil
}

// MFA checks MFA codes for the services that take them (STS's GetSessionToken and
// AssumeRole with SerialNumber and TokenCode), against the same devices and seeds
// IAM manages. STS reaches it through an interface of its own, wired in app.
type MFA struct {
	sealer *store.Sealer
}

// NewMFA returns the checker; sealer must be the one IAM seals seeds with.
func NewMFA(sealer *store.Sealer) *MFA { return &MFA{sealer: sealer} }

// Check verifies code, the current code of the virtual MFA device serial, which must
// be enabled for the IAM user p, against the device's clock (two steps either way). A code
// is accepted once: the step is recorded in tx, which must be a write transaction,
// as are attempts, which lock the device (mfaLockTries); now is Palisade's clock.
// associated is false when the device is not one enabled for p (STS then words its
// refusal differently, as AWS does: mfa.json).
func (m *MFA) Check(tx *store.Tx, p auth.Principal, serial, code string, now time.Time) (ok, associated bool, err error) {
	d, err := load[mfaRec](tx, ns(p.Account, tMFA), lk(serial))
	if err != nil || d == nil || d.UserID == "" || d.UserID != p.UserID {
		return false, false, err
	}
	if !d.LockedAt.IsZero() {
		if now.Sub(d.LockedAt) < mfaLockout {
			// Locked: an attempt, right or wrong, extends the lock.
			d.LockedAt = now
			return false, false, putMFA(tx, p.Account, d)
		}
		d.LockedAt, d.Failures, d.Tries = time.Time{}, 0, nil
	}
	recent := d.Tries[:0]
	for _, t := range d.Tries {
		if now.Sub(t) < mfaTryWindow {
			recent = append(recent, t)
		}
	}
	d.Tries = recent
	if len(d.Tries) >= mfaLockTries || d.Failures >= mfaLockFailures {
		d.LockedAt, d.Tries = now, nil
		return false, false, putMFA(tx, p.Account, d)
	}
	d.Tries = append(d.Tries, now)
	codeAt, err := (&svc{sealer: m.sealer}).totpCodes(d)
	if err != nil {
		return false, true, err
	}
	// The window is centred on the device's clock as EnableMFADevice or
	// ResyncMFADevice last found it, not on real time: once settled, AWS took a code
	// eleven steps ahead after a resync ten steps ahead and refused one two steps
	// ahead, and took one five ahead from a device enabled four ahead
	// (recorded, 2026: mfa_propagation.json, resync_12 and reassign_12).
	cur := time.Now().Unix()/totpPeriod + d.Drift
	used := func(t int64) bool {
		for _, u := range d.SignIns {
			if u == t {
				return true
			}
		}
		return false
	}
	for t := cur - signInWindow; t <= cur+signInWindow; t++ {
		if used(t) || codeAt(t) != code {
			continue
		}
		// Steps that have left the window can never match again: forget them.
		keep := d.SignIns[:0]
		for _, u := range d.SignIns {
			if u >= cur-signInWindow {
				keep = append(keep, u)
			}
		}
		d.SignIns = append(keep, t)
		d.Failures = 0
		return true, true, putMFA(tx, p.Account, d)
	}
	d.Failures++
	return false, true, putMFA(tx, p.Account, d)
}
