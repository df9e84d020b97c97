package iam

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"image/png"
	"net/url"
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

// TOTP windows, in 30-second steps around the real time: enabling accepts two
// consecutive codes from a little in the past (the user typed them one after the
// other); resynchronising accepts a device whose clock drifted further; a sign-in
// code (STS) may be one step off either way.
const (
	enableWindow = 2
	resyncWindow = 20
	signInWindow = 1
	totpPeriod   = 30
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
	// LastStep is the last TOTP time step accepted: a code is never accepted twice.
	LastStep int64     `json:"lastStep,omitempty"`
	Tags     []api.Tag `json:"tags,omitempty"`
}

func (m *mfaRec) tagList() *[]api.Tag { return &m.Tags }

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
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	ok, err := c.Tx.Insert(ns(c.Account, tMFA), lk(serial), b)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewEntityAlreadyExistsException("MFADevice entity at the same path and name already exists.")
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

// matchCodes finds the time step t within window steps of now (real time: the
// codes come from a device with a real clock) at which code1 is the device's code and
// code2 (when given) the next one, after last. It returns the step of the last code
// used, or ok false.
func (s *svc) matchCodes(m *mfaRec, code1, code2 string, window int64, now time.Time) (int64, bool, error) {
	seed, err := s.sealer.Open(m.Seed, sealContextMFA(m.Serial))
	if err != nil {
		return 0, false, fmt.Errorf("iam: MFA seed of %s: %w", m.Serial, err)
	}
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	code := func(step int64) string {
		c, _ := totp.GenerateCodeCustom(string(seed), time.Unix(step*totpPeriod, 0), opts)
		return c
	}
	cur := now.Unix() / totpPeriod
	for t := cur - window; t <= cur+window; t++ {
		last := t
		if code2 != "" {
			last = t + 1
		}
		if t <= m.LastStep || code(t) != code1 || code2 != "" && code(t+1) != code2 {
			continue
		}
		return last, true, nil
	}
	return 0, false, nil
}

func invalidCode() error {
	return api.NewInvalidAuthenticationCodeException("Authentication code for device is not valid.")
}

func (s *svc) enableMFADevice(c *server.Call, in *api.EnableMFADeviceRequest) (*model.Empty, error) {
	u, err := loadUser(c.Tx, c.Account, in.UserName)
	if err != nil {
		return nil, err
	}
	m, err := loadMFA(c.Tx, c.Account, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	if m.UserID != "" {
		return nil, api.NewEntityAlreadyExistsException("MFA Device is already in use.")
	}
	n, err := countPrefix(c.Tx, ns(c.Account, tUserMFA), u.ID+"/")
	if err != nil {
		return nil, err
	}
	if n >= maxMFADevices {
		return nil, limitExceeded(fmt.Sprintf("Cannot exceed quota for MFADevicesPerUser: %d", maxMFADevices))
	}
	step, ok, err := s.matchCodes(m, in.AuthenticationCode1, in.AuthenticationCode2, enableWindow, time.Now())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalidCode()
	}
	m.UserID, m.Enabled, m.LastStep = u.ID, ptr(timeUTC(c.Now)), step
	if err := putMFA(c.Tx, c.Account, m); err != nil {
		return nil, err
	}
	return &model.Empty{}, c.Tx.Put(ns(c.Account, tUserMFA), u.ID+"/"+m.Serial, nil)
}

// assignedMFA returns the device with that serial when it is enabled for the user.
func assignedMFA(tx *store.Tx, account string, u *userRec, serial string) (*mfaRec, error) {
	m, err := load[mfaRec](tx, ns(account, tMFA), lk(serial))
	if err != nil {
		return nil, err
	}
	if m == nil || m.UserID != u.ID {
		return nil, api.NewNoSuchEntityException("MFA Device with serial number " + serial + " does not exist for user " + u.Name + ".")
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
	m.LastStep = 0 // resynchronising may go back in time
	step, ok, err := s.matchCodes(m, in.AuthenticationCode1, in.AuthenticationCode2, resyncWindow, time.Now())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalidCode()
	}
	m.LastStep = step
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
	m, err := assignedMFA(c.Tx, c.Account, u, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	m.UserID, m.Enabled, m.LastStep = "", nil, 0
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
	_, err = c.Tx.Delete(ns(c.Account, tMFA), lk(m.Serial))
	return &model.Empty{}, err
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

func (s *svc) getMFADevice(c *server.Call, in *api.GetMFADeviceRequest) (*api.GetMFADeviceResponse, error) {
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
// be enabled for the IAM user p, against real time (one step of drift either way).
// A code is accepted once: the step is recorded in tx, which must be a write
// transaction. It returns false for a wrong, replayed or unknown device's code.
func (m *MFA) Check(tx *store.Tx, p auth.Principal, serial, code string) (bool, error) {
	d, err := load[mfaRec](tx, ns(p.Account, tMFA), lk(serial))
	if err != nil || d == nil || d.UserID == "" || d.UserID != p.UserID {
		return false, err
	}
	step, ok, err := (&svc{sealer: m.sealer}).matchCodes(d, code, "", signInWindow, time.Now())
	if err != nil || !ok {
		return false, err
	}
	d.LastStep = step
	return true, putMFA(tx, p.Account, d)
}
