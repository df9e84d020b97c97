package iam_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/palisade/palisade/internal/auth"
	iampkg "github.com/palisade/palisade/internal/service/iam"
	"github.com/palisade/palisade/internal/store"
)

func TestLoginProfilesAndPasswordPolicy(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("pat")}))
	// Without a policy, IAM's default applies: 8 characters of three kinds.
	_, err := e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String("short")})
	wantErr(t, err, "PasswordPolicyViolation", 400, "Password does not conform to the account password policy.")
	_, err = e.iam.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	wantErr(t, err, "NoSuchEntity", 404, "The Password Policy with domain name "+account+" cannot be found.")

	must(e.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(12), RequireSymbols: true,
		RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: true, MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(2)}))
	pp := must(e.iam.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).PasswordPolicy
	if *pp.MinimumPasswordLength != 12 || !pp.RequireSymbols || !pp.ExpirePasswords || *pp.MaxPasswordAge != 90 || *pp.PasswordReusePrevention != 2 || pp.HardExpiry != nil {
		t.Fatalf("policy %+v", pp)
	}
	for _, bad := range []string{"Short1!a", "nouppercase1!xx", "NOLOWERCASE1!XX", "NoDigitsHere!!x", "NoSymbols123abc"} {
		_, err = e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String(bad)})
		wantErr(t, err, "PasswordPolicyViolation", 400, "Password does not conform to the account password policy.")
	}
	lp := must(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String("Correct-Horse-1"), PasswordResetRequired: true})).LoginProfile
	if *lp.UserName != "pat" || !lp.PasswordResetRequired {
		t.Fatalf("login profile %+v", lp)
	}
	_, err = e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String("Correct-Horse-1")})
	wantErr(t, err, "EntityAlreadyExists", 409, "Login Profile for user pat already exists.")
	got := must(e.iam.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("pat")})).LoginProfile
	if !got.PasswordResetRequired {
		t.Fatalf("get %+v", got)
	}

	// The user changes its own password; reuse of the last two is refused.
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("pat")})).AccessKey
	pat, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	_, err = pat.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("wrong"), NewPassword: aws.String("Another-Horse-2")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(pat.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("Correct-Horse-1"), NewPassword: aws.String("Another-Horse-2")}))
	_, err = pat.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("Another-Horse-2"), NewPassword: aws.String("Correct-Horse-1")})
	wantErr(t, err, "PasswordPolicyViolation", 400, "")
	_, err = pat.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("Another-Horse-2"), NewPassword: aws.String("weak")})
	wantErr(t, err, "PasswordPolicyViolation", 400, "")
	if got := must(e.iam.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("pat")})).LoginProfile; got.PasswordResetRequired {
		t.Fatal("reset still required after ChangePassword")
	}
	_, err = e.iam.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("x"), NewPassword: aws.String("y")})
	wantErr(t, err, "InvalidUserType", 400, "")

	must(e.iam.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String("Third-Horse-333"), PasswordResetRequired: aws.Bool(true)}))
	_, err = e.iam.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String("Another-Horse-2")})
	wantErr(t, err, "PasswordPolicyViolation", 400, "")

	must(e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("pat"), AccessKeyId: k.AccessKeyId}))
	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("pat")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete login profile first.")
	must(e.iam.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("pat")}))
	_, err = e.iam.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("pat")})
	wantErr(t, err, "NoSuchEntity", 404, "Login Profile for User pat cannot be found.")
	must(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("pat")}))

	must(e.iam.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{}))
	_, err = e.iam.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})
	wantErr(t, err, "NoSuchEntity", 404, "The Password Policy with domain name "+account+" cannot be found.")
}

// TestPasswordPolicyDefaults: UpdateAccountPasswordPolicy resets what it is not given to
// the defaults its API Reference lists, MinimumPasswordLength 6 among them.
func TestPasswordPolicyDefaults(t *testing.T) {
	e := newEnv(t)
	must(e.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{RequireNumbers: true}))
	pp := must(e.iam.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).PasswordPolicy
	if *pp.MinimumPasswordLength != 6 || !pp.RequireNumbers || pp.RequireSymbols || pp.ExpirePasswords || pp.MaxPasswordAge != nil {
		t.Fatalf("defaults %+v", pp)
	}
	// Six characters with a digit now conform; five do not.
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("six")}))
	_, err := e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("six"), Password: aws.String("abcd1")})
	wantErr(t, err, "PasswordPolicyViolation", 400, "")
	must(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("six"), Password: aws.String("abcde1")}))
	_, err = e.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(5)})
	wantErr(t, err, "ValidationError", 400, "")
}

// code is the TOTP code of a Base32 seed at a time, as an authenticator app shows it.
func code(t *testing.T, seed string, at time.Time) string {
	c, err := totp.GenerateCodeCustom(seed, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVirtualMFA(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("m")}))
	dev := must(e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("m-phone")})).VirtualMFADevice
	seed := string(dev.Base32StringSeed)
	if *dev.SerialNumber != "arn:aws:iam::"+account+":mfa/m-phone" || len(seed) != 64 || strings.Trim(seed, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		t.Fatalf("device %s seed %q", *dev.SerialNumber, seed)
	}
	if _, err := png.Decode(bytes.NewReader(dev.QRCodePNG)); err != nil {
		t.Fatalf("QR code is not a PNG: %v", err)
	}
	_, err := e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("m-phone")})
	wantErr(t, err, "EntityAlreadyExists", 409, "MFA device already exists.")

	now := time.Now()
	c1, c2 := code(t, seed, now.Add(-30*time.Second)), code(t, seed, now)
	// Codes in the wrong order, or not consecutive, are refused.
	_, err = e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("m"), SerialNumber: dev.SerialNumber, AuthenticationCode1: aws.String(c2), AuthenticationCode2: aws.String(c1)})
	wantErr(t, err, "InvalidAuthenticationCode", 403, "Authentication code for device is not valid.")
	_, err = e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("m"), SerialNumber: dev.SerialNumber, AuthenticationCode1: aws.String("000000"), AuthenticationCode2: aws.String("000000")})
	wantErr(t, err, "InvalidAuthenticationCode", 403, "")
	// Codes are checked against real time (authenticator apps have real clocks), not
	// against Palisade's clock.
	e.p.Clock.Advance(30 * 24 * time.Hour)
	must(e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("m"), SerialNumber: dev.SerialNumber, AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)}))

	// The checker STS will use: each code once, those that enabled the device too
	// (as AWS answered: radkawar/stackd testdata/aws/iam/mfa_synchronization_codes.json).
	p := auth.Principal{Account: account, UserID: *must(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("m")})).User.UserId}
	check := func(code string) (ok bool) {
		err := e.p.Store.Update(ctx, func(tx *store.Tx) (err error) {
			ok, _, err = iampkg.NewMFA(e.p.Sealer).Check(tx, p, *dev.SerialNumber, code, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !check(c2) || check(c2) {
		t.Fatal("a code of the enabling pair must be accepted exactly once")
	}
	next := code(t, seed, now.Add(30*time.Second))
	if !check(next) || check(next) {
		t.Fatal("a fresh code must be accepted exactly once")
	}
	mfa := must(e.iam.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("m")})).MFADevices
	if len(mfa) != 1 || *mfa[0].SerialNumber != *dev.SerialNumber || mfa[0].EnableDate == nil {
		t.Fatalf("MFA devices %+v", mfa)
	}
	vs := must(e.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})).VirtualMFADevices
	if len(vs) != 1 || vs[0].User == nil || *vs[0].User.UserName != "m" || vs[0].Base32StringSeed != nil {
		t.Fatalf("virtual devices %+v", vs)
	}
	if n := len(must(e.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})).VirtualMFADevices); n != 0 {
		t.Fatalf("%d unassigned", n)
	}
	_, err = e.iam.GetMFADevice(ctx, &iam.GetMFADeviceInput{SerialNumber: dev.SerialNumber})
	wantErr(t, err, "ValidationError", 400, "")

	// Resync with two later codes.
	r1, r2 := code(t, seed, now.Add(60*time.Second)), code(t, seed, now.Add(90*time.Second))
	must(e.iam.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("m"), SerialNumber: dev.SerialNumber, AuthenticationCode1: aws.String(r1), AuthenticationCode2: aws.String(r2)}))
	_, err = e.iam.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("m"), SerialNumber: dev.SerialNumber, AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")})
	wantErr(t, err, "InvalidAuthenticationCode", 403, "")

	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("m")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove tokens from principal first.")
	_, err = e.iam.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: dev.SerialNumber})
	wantErr(t, err, "DeleteConflict", 409, "MFA VirtualDevice in use. Must deactivate first.")
	must(e.iam.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: dev.SerialNumber, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}))
	if tags := must(e.iam.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: dev.SerialNumber})).Tags; len(tags) != 1 {
		t.Fatalf("MFA tags %+v", tags)
	}
	must(e.iam.UntagMFADevice(ctx, &iam.UntagMFADeviceInput{SerialNumber: dev.SerialNumber, TagKeys: []string{"a"}}))
	must(e.iam.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("m"), SerialNumber: dev.SerialNumber}))
	_, err = e.iam.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("m"), SerialNumber: dev.SerialNumber})
	wantErr(t, err, "NoSuchEntity", 404, "")
	must(e.iam.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: dev.SerialNumber}))
	_, err = e.iam.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: dev.SerialNumber})
	wantErr(t, err, "NoSuchEntity", 404, "VirtualMFADevice with serial number "+*dev.SerialNumber+" doesn't exist.")
	must(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("m")}))
}
