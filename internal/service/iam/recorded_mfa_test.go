package iam_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const (
	msgInvalidPass  = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
	msgUnassociated = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	msgInvalidCode  = "Authentication code for device is not valid."
	msgSelfMFA      = "To complete this action, please ensure that you are authenticated with an MFA device that is enabled for this user."
)

// mfaRig drives virtual MFA devices with codes computed for offsets, in 30-second
// steps, from real time, as the probes behind the recordings did.
type mfaRig struct {
	t *testing.T
	e *env
}

func (r mfaRig) create(name string) (serial, seed string) {
	d := must(r.e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})).VirtualMFADevice
	return *d.SerialNumber, string(d.Base32StringSeed)
}

func (r mfaRig) user(name string) (*iam.Client, *sts.Client) {
	must(r.e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String("/org-access/")}))
	k := must(r.e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	return r.e.as(*k.AccessKeyId, *k.SecretAccessKey)
}

// enable enables serial for user with the pair whose second code is second steps
// from now, called by c.
func (r mfaRig) enable(c *iam.Client, user, serial, seed string, second int64) error {
	_, err := c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(stepCode(r.t, seed, second-1)), AuthenticationCode2: aws.String(stepCode(r.t, seed, second))})
	return err
}

func (r mfaRig) resync(c *iam.Client, user, serial, seed string, second int64) error {
	_, err := c.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(stepCode(r.t, seed, second-1)), AuthenticationCode2: aws.String(stepCode(r.t, seed, second))})
	return err
}

func (r mfaRig) deactivate(c *iam.Client, user, serial string) error {
	_, err := c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial)})
	return err
}

func (r mfaRig) session(c *sts.Client, serial, seed string, offset int64) (*sts.GetSessionTokenOutput, error) {
	return c.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900), SerialNumber: aws.String(serial), TokenCode: aws.String(stepCode(r.t, seed, offset))})
}

// TestRecordedMFASelfManagement replays mfa_self_management.json: a user whose
// policy allows EnableMFADevice, DeactivateMFADevice and ResyncMFADevice on
// themselves and on another user.
func TestRecordedMFASelfManagement(t *testing.T) {
	e := newEnv(t)
	r := mfaRig{t, e}
	selfIAM, selfSTS := r.user("self")
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("other"), Path: aws.String("/org-access/")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("self"), PolicyName: aws.String("ReportPermissions"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:EnableMFADevice","iam:DeactivateMFADevice","iam:ResyncMFADevice"],` +
			`"Resource":["arn:aws:iam::` + account + `:user/org-access/self","arn:aws:iam::` + account + `:user/org-access/other"]}]}`)}))
	first, firstSeed := r.create("first")
	second, secondSeed := r.create("second")
	other, otherSeed := r.create("other")
	settleStep()

	// With the access key: the first device is the user's to enable, but once they
	// have one, enabling or deactivating their own needs an MFA session, whatever
	// the device; resync does not, nor does enabling another user's.
	noErr(t, r.enable(selfIAM, "self", first, firstSeed, 0))
	wantErr(t, r.enable(selfIAM, "self", second, secondSeed, 0), "AccessDenied", 403, msgSelfMFA)
	wantErr(t, r.enable(selfIAM, "self", first, firstSeed, 4), "AccessDenied", 403, msgSelfMFA)
	wantErr(t, r.deactivate(selfIAM, "self", first), "AccessDenied", 403, msgSelfMFA)
	wantErr(t, r.deactivate(selfIAM, "self", "arn:aws:iam::"+account+":mfa/missing"), "AccessDenied", 403, msgSelfMFA)
	_, err := selfIAM.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: aws.String(first)})
	wantErr(t, err, "AccessDenied", 403, msgSelfMFA)
	noErr(t, r.resync(selfIAM, "self", first, firstSeed, 4))
	noErr(t, r.enable(selfIAM, "other", other, otherSeed, 0))
	// Another principal (the root user here) is not held to it (inferred: the rule is
	// about the user's own devices).
	wantErr(t, r.enable(e.iam, "self", first, firstSeed, 6), "EntityAlreadyExists", 409, "MFA Device for user self already exists.")

	// With an MFA session (its code one step past the resync, five from real time):
	// all of it, down to deactivating the device the session was made with.
	tok := must(r.session(selfSTS, first, firstSeed, 5)).Credentials
	sessIAM := iam.NewFromConfig(e.p.Config(*tok.AccessKeyId, *tok.SecretAccessKey, *tok.SessionToken))
	noErr(t, r.enable(sessIAM, "self", second, secondSeed, 4))
	noErr(t, r.deactivate(sessIAM, "self", first))
	noErr(t, r.deactivate(sessIAM, "self", second))

	// No device left: the key enables one again.
	noErr(t, r.enable(selfIAM, "self", first, firstSeed, 8))
}

// TestRecordedMFADeviceClock replays the settled cases of mfa_propagation.json
// (resync_12, reassign_12, deactivate_12) and mfa_synchronization_reuse.json: STS
// takes codes two steps either way of the device's clock as IAM last synchronised
// it, not of real time.
func TestRecordedMFADeviceClock(t *testing.T) {
	e := newEnv(t)
	r := mfaRig{t, e}
	_, aSTS := r.user("resync")
	_, bSTS := r.user("reassign")
	_, dSTS := r.user("destination")
	settleStep()

	// resync_12: resynchronised ten steps ahead, the device no longer takes a code
	// two steps from real time, and takes one eleven ahead.
	s, sd := r.create("resync")
	noErr(t, r.enable(e.iam, "resync", s, sd, 0))
	must(r.session(aSTS, s, sd, 1))
	enabled := must(e.iam.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("resync")})).MFADevices[0].EnableDate
	e.p.Clock.Advance(time.Hour)
	noErr(t, r.resync(e.iam, "resync", s, sd, 10))
	_, err := r.session(aSTS, s, sd, 2)
	wantErr(t, err, "AccessDenied", 403, msgInvalidPass)
	must(r.session(aSTS, s, sd, 11))
	// list_resync_12: the device keeps the date it was enabled.
	if ds := must(e.iam.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("resync")})).MFADevices; len(ds) != 1 || *ds[0].SerialNumber != s || !ds[0].EnableDate.Equal(*enabled) {
		t.Fatalf("devices after resync: %+v", ds)
	}

	// reassign_12: deactivated and enabled for another user four steps ahead, the
	// device is no longer the first user's, and takes the new user's code five ahead.
	s, sd = r.create("reassign")
	noErr(t, r.enable(e.iam, "reassign", s, sd, 0))
	must(r.session(bSTS, s, sd, 1))
	noErr(t, r.deactivate(e.iam, "reassign", s))
	noErr(t, r.enable(e.iam, "destination", s, sd, 4))
	if ds := must(e.iam.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("reassign")})).MFADevices; len(ds) != 0 {
		t.Fatalf("devices of the first user: %+v", ds)
	}
	_, err = r.session(bSTS, s, sd, 2)
	wantErr(t, err, "AccessDenied", 403, msgUnassociated)
	must(r.session(dSTS, s, sd, 5))

	// mfa_synchronization_reuse.json: a code STS took may open a resync pair; the
	// pair's second code is still STS's to take once; the code STS took is not
	// taken again.
	_, cSTS := r.user("consumed")
	s, sd = r.create("consumed")
	noErr(t, r.enable(e.iam, "consumed", s, sd, 0))
	must(r.session(cSTS, s, sd, 1))
	noErr(t, r.resync(e.iam, "consumed", s, sd, 2))
	_, err = r.session(cSTS, s, sd, 1)
	wantErr(t, err, "AccessDenied", 403, msgInvalidPass)
	must(r.session(cSTS, s, sd, 2))
	_, err = r.session(cSTS, s, sd, 1)
	wantErr(t, err, "AccessDenied", 403, msgInvalidPass)
}

// TestRecordedMFAReenrollment replays the IAM side of mfa_time.json: after
// deactivation, EnableMFADevice refuses the pair the last resync took and one that
// overlaps it, and takes the next.
func TestRecordedMFAReenrollment(t *testing.T) {
	e := newEnv(t)
	r := mfaRig{t, e}
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("timing"), Path: aws.String("/org-access/")}))
	s, sd := r.create("timing")
	settleStep()
	noErr(t, r.enable(e.iam, "timing", s, sd, 0))
	wantErr(t, r.resync(e.iam, "timing", s, sd, 0), "InvalidAuthenticationCode", 403, msgInvalidCode)
	noErr(t, r.resync(e.iam, "timing", s, sd, 10))
	wantErr(t, r.resync(e.iam, "timing", s, sd, 10), "InvalidAuthenticationCode", 403, msgInvalidCode)
	wantErr(t, r.resync(e.iam, "timing", s, sd, 11), "InvalidAuthenticationCode", 403, msgInvalidCode)
	noErr(t, r.resync(e.iam, "timing", s, sd, 12))
	wantErr(t, r.resync(e.iam, "timing", s, sd, 1), "InvalidAuthenticationCode", 403, msgInvalidCode)
	noErr(t, r.deactivate(e.iam, "timing", s))
	wantErr(t, r.enable(e.iam, "timing", s, sd, 12), "InvalidAuthenticationCode", 403, msgInvalidCode)
	wantErr(t, r.enable(e.iam, "timing", s, sd, 13), "InvalidAuthenticationCode", 403, msgInvalidCode)
	noErr(t, r.enable(e.iam, "timing", s, sd, 14))
}

// TestRecordedMFAWindowEdges replays mfa_verification.json and mfa_code_order.json:
// STS takes each code from two steps behind to two ahead once, in any order, and
// none three steps either way.
func TestRecordedMFAWindowEdges(t *testing.T) {
	e := newEnv(t)
	r := mfaRig{t, e}
	_, c := r.user("window")
	s, sd := r.create("window")
	settleStep()
	noErr(t, r.enable(e.iam, "window", s, sd, 0))
	for _, off := range []int64{-3, 3} {
		_, err := r.session(c, s, sd, off)
		wantErr(t, err, "AccessDenied", 403, msgInvalidPass)
	}
	// past_*: -2, 0, -1, +1, then +2; each a second time is refused.
	for _, off := range []int64{-2, 0, -1, 1, 2} {
		must(r.session(c, s, sd, off))
	}
	// AWS tried each offset on a device of its own; a minute apart on Palisade's
	// clock, twelve attempts on one device stay under the count that locks it
	// (mfaLockTries; the codes follow real time).
	e.p.Clock.Advance(61 * time.Second)
	for _, off := range []int64{-2, -1, 0, 1, 2} {
		_, err := r.session(c, s, sd, off)
		wantErr(t, err, "AccessDenied", 403, msgInvalidPass)
	}
}

// TestRecordedMFARejection replays mfa_rejection.json (with the seven- and
// eight-failure cases and the sibling device of mfa_rejection_threshold.json): after
// eight wrong codes in a row STS refuses the device's right code too, worded as for
// a device that is not the user's, while the user's other device still works; seven
// wrong codes do not lock it. Two quiet minutes later the device works again.
func TestRecordedMFARejection(t *testing.T) {
	e := newEnv(t)
	r := mfaRig{t, e}
	_, c := r.user("failures")
	settleStep()
	wrong := func(serial, seed string, n int) {
		t.Helper()
		for i := range n {
			_, err := r.session(c, serial, seed, 100+int64(i))
			wantErr(t, err, "AccessDenied", 403, msgInvalidPass)
		}
	}
	s7, sd7 := r.create("failures_7")
	noErr(t, r.enable(e.iam, "failures", s7, sd7, 0))
	must(r.session(c, s7, sd7, -2))
	wrong(s7, sd7, 7)
	must(r.session(c, s7, sd7, -1))
	noErr(t, r.deactivate(e.iam, "failures", s7))

	s8, sd8 := r.create("failures_8")
	sib, sibSeed := r.create("sibling")
	noErr(t, r.enable(e.iam, "failures", s8, sd8, 0))
	noErr(t, r.enable(e.iam, "failures", sib, sibSeed, 0))
	must(r.session(c, s8, sd8, -2))
	wrong(s8, sd8, 8)
	_, err := r.session(c, s8, sd8, -1)
	wantErr(t, err, "AccessDenied", 403, msgUnassociated)
	_, err = r.session(c, s8, sd8, 100)
	wantErr(t, err, "AccessDenied", 403, msgUnassociated)
	must(r.session(c, sib, sibSeed, 1))

	e.p.Clock.Advance(121 * time.Second)
	must(r.session(c, s8, sd8, 0))
	// The count starts again.
	wrong(s8, sd8, 7)
	must(r.session(c, s8, sd8, 1))
}

// TestRecordedMFARejectionCount replays mfa_rejection_success_count.json,
// mfa_rejection_no_baseline.json and mfa_rejection_recovery.json: STS counts
// every attempt on a device, its right codes included, and refuses the tenth of a
// quick run whatever it is; a right code does not restart the count.
func TestRecordedMFARejectionCount(t *testing.T) {
	e := newEnv(t)
	r := mfaRig{t, e}
	_, c := r.user("failures")
	wrong := func(serial, seed string, n int) {
		t.Helper()
		for i := range n {
			_, err := r.session(c, serial, seed, 100+int64(i))
			wantErr(t, err, "AccessDenied", 403, msgInvalidPass)
		}
	}
	device := func(name string) (string, string) {
		t.Helper()
		s, sd := r.create(name)
		noErr(t, r.enable(e.iam, "failures", s, sd, 0))
		return s, sd
	}
	s5, sd5 := device("failures_5")
	s6, sd6 := device("failures_6")
	s8, sd8 := device("failures_8")
	s9, sd9 := device("failures_9")
	settleStep()

	// success_count: three right codes, then five wrong: the ninth attempt is taken;
	// after six wrong, the tenth is refused as for a device not the user's.
	for _, off := range []int64{-2, -1, 0} {
		must(r.session(c, s5, sd5, off))
		must(r.session(c, s6, sd6, off))
	}
	wrong(s5, sd5, 5)
	must(r.session(c, s5, sd5, 1))
	wrong(s6, sd6, 6)
	_, err := r.session(c, s6, sd6, 1)
	wantErr(t, err, "AccessDenied", 403, msgUnassociated)

	// no_baseline: eight wrong codes alone do not lock the device; nine do.
	wrong(s8, sd8, 8)
	must(r.session(c, s8, sd8, -1))
	wrong(s9, sd9, 9)
	_, err = r.session(c, s9, sd9, -1)
	wantErr(t, err, "AccessDenied", 403, msgUnassociated)

	// recovery: still locked after 75 seconds of quiet, and 120.8 seconds after the
	// last attempt began (quiet_120).
	e.p.Clock.Advance(75 * time.Second)
	_, err = r.session(c, s9, sd9, 0)
	wantErr(t, err, "AccessDenied", 403, msgUnassociated)
	e.p.Clock.Advance(120*time.Second + 800*time.Millisecond)
	_, err = r.session(c, s9, sd9, 0)
	wantErr(t, err, "AccessDenied", 403, msgUnassociated)
}

// TestRecordedMFARecreationLimited replays mfa_recreation_limited.json and
// mfa_recreation_limited_delayed.json: a device
// locked by STS, deactivated, deleted and created again under the same name (a new
// seed) and enabled, is still locked: STS refuses the new device's right code.
func TestRecordedMFARecreationLimited(t *testing.T) {
	e := newEnv(t)
	r := mfaRig{t, e}
	_, c := r.user("recreate")
	s, sd := r.create("recreate")
	settleStep()
	noErr(t, r.enable(e.iam, "recreate", s, sd, 0))
	must(r.session(c, s, sd, 1))
	for i := range 8 {
		_, err := r.session(c, s, sd, 100+int64(i))
		wantErr(t, err, "AccessDenied", 403, msgInvalidPass)
	}
	_, err := r.session(c, s, sd, 2)
	wantErr(t, err, "AccessDenied", 403, msgUnassociated)
	noErr(t, r.deactivate(e.iam, "recreate", s))
	must(e.iam.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(s)}))
	// mfa_recreation_limited_delayed.json waited 20 seconds before re-creating it.
	e.p.Clock.Advance(20 * time.Second)
	s2, sd2 := r.create("recreate")
	if s2 != s || sd2 == sd {
		t.Fatalf("re-created device: serial %q (was %q), same seed %v", s2, s, sd2 == sd)
	}
	noErr(t, r.enable(e.iam, "recreate", s2, sd2, 0))
	for _, off := range []int64{1, -1} {
		_, err = r.session(c, s2, sd2, off)
		wantErr(t, err, "AccessDenied", 403, msgUnassociated)
	}
	// Locked devices recover after quiet; so does the re-created one.
	e.p.Clock.Advance(122 * time.Second)
	must(r.session(c, s2, sd2, 1))
}
