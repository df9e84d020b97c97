package iam_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// A long device name needs a QR code with more modules than 200 pixels hold: the PNG
// grows to fit instead of the call failing (it answered 500). A name no QR code can
// carry is refused with a ValidationError (IAM documents no length limit).
func TestVirtualMFALongNameQRCode(t *testing.T) {
	e := newEnv(t)
	for _, n := range []int{64, 1000, 2200} {
		name := strings.Repeat("x", n)
		dev := must(e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})).VirtualMFADevice
		img, err := png.Decode(bytes.NewReader(dev.QRCodePNG))
		if err != nil {
			t.Fatalf("name of %d: QR code is not a PNG: %v", n, err)
		}
		if b := img.Bounds(); b.Dx() < 200 || b.Dx() != b.Dy() {
			t.Fatalf("name of %d: QR code %v", n, b)
		}
		if n == 64 && img.Bounds().Dx() != 200 {
			t.Fatalf("a short name's QR code is %v, want 200 pixels", img.Bounds())
		}
	}
	_, err := e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(strings.Repeat("x", 4000))})
	wantErr(t, err, "ValidationError", 400, "The virtual MFA device name is too long to be encoded in a QR code.")
	if n := len(must(e.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})).VirtualMFADevices); n != 3 {
		t.Fatalf("%d devices after the refused one, want 3", n)
	}
}
