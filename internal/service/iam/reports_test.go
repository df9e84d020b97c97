package iam_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const reportHeader = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"

func TestCredentialReport(t *testing.T) {
	e := newEnv(t)
	_, err := e.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	wantErr(t, err, "ReportNotPresent", 410, "")

	must(e.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(30)}))
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("b,comma")}))
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	must(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Aa1-aaaaaaa")}))
	k1 := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	k2 := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	must(e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k2.AccessKeyId, Status: types.StatusTypeInactive}))
	_, aliceSTS := e.as(*k1.AccessKeyId, *k1.SecretAccessKey)
	must(aliceSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))

	gen := must(e.iam.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
	if gen.State != types.ReportStateTypeStarted || *gen.Description != "No report exists. Starting a new report generation task" {
		t.Fatalf("generate: %s %v", gen.State, gen.Description)
	}
	if gen := must(e.iam.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})); gen.State != types.ReportStateTypeComplete {
		t.Fatalf("second generate: %s", gen.State)
	}
	rep := must(e.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))
	if rep.ReportFormat != types.ReportFormatTypeTextCsv || rep.GeneratedTime == nil {
		t.Fatalf("report %s %v", rep.ReportFormat, rep.GeneratedTime)
	}
	if first, _, _ := strings.Cut(string(rep.Content), "\n"); first != reportHeader {
		t.Fatalf("header:\n%s", first)
	}
	rows, err := csv.NewReader(bytes.NewReader(rep.Content)).ReadAll()
	if err != nil {
		t.Fatalf("the report is not CSV: %v", err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows: %q", len(rows), rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	root, alice, comma := rows[1], rows[2], rows[3]
	if root[0] != "<root_account>" || root[1] != "arn:aws:iam::"+account+":root" || root[col["password_enabled"]] != "false" || root[col["access_key_1_active"]] != "true" {
		t.Fatalf("root row %q", root)
	}
	isTime := func(s string) bool {
		_, err := time.Parse("2006-01-02T15:04:05Z", s)
		return err == nil
	}
	if alice[0] != "alice" || alice[col["password_enabled"]] != "true" || alice[col["password_last_used"]] != "no_information" ||
		!isTime(alice[col["password_last_changed"]]) || !isTime(alice[col["password_next_rotation"]]) || alice[col["mfa_active"]] != "false" {
		t.Fatalf("alice password columns %q", alice)
	}
	// The keys come in access key ID order (recorded: radkawar/stackd
	// testdata/aws/iam/credential_report.json).
	used, unused := "access_key_1_", "access_key_2_"
	if *k1.AccessKeyId > *k2.AccessKeyId {
		used, unused = unused, used
	}
	if alice[col[used+"active"]] != "true" || !isTime(alice[col[used+"last_rotated"]]) || !isTime(alice[col[used+"last_used_date"]]) ||
		alice[col[used+"last_used_region"]] != "us-east-1" || alice[col[used+"last_used_service"]] != "sts" {
		t.Fatalf("alice used key %q", alice)
	}
	if alice[col[unused+"active"]] != "false" || alice[col[unused+"last_used_date"]] != "N/A" || alice[col["cert_1_active"]] != "false" || alice[col["cert_1_last_rotated"]] != "N/A" {
		t.Fatalf("alice unused key and certs %q", alice)
	}
	if comma[0] != "b,comma" || comma[col["password_enabled"]] != "false" || comma[col["password_last_used"]] != "N/A" || comma[col["access_key_1_active"]] != "false" {
		t.Fatalf("b,comma row %q", comma)
	}

	// After four hours the report has expired (ReportExpired, not ReportNotPresent)
	// and a new one is generated.
	e.p.Clock.Advance(5 * time.Hour)
	_, err = e.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	wantErr(t, err, "ReportExpired", 410, "")
	if gen := must(e.iam.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})); gen.State != types.ReportStateTypeStarted {
		t.Fatalf("generate after expiry: %s", gen.State)
	}
}

func TestServiceLastAccessed(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetCallerIdentity","s3:GetObject","iam:List*"],"Resource":"*"}]}`)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")})).AccessKey
	_, uSTS := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	must(uSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	arn := "arn:aws:iam::" + account + ":user/u"
	job := must(e.iam.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(arn)})).JobId
	out := must(e.iam.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job}))
	if out.JobStatus != types.JobStatusTypeCompleted || len(out.ServicesLastAccessed) != 3 {
		t.Fatalf("job %s: %+v", out.JobStatus, out.ServicesLastAccessed)
	}
	byNS := map[string]types.ServiceLastAccessed{}
	for _, s := range out.ServicesLastAccessed {
		byNS[*s.ServiceNamespace] = s
	}
	st := byNS["sts"]
	if st.LastAuthenticated == nil || *st.LastAuthenticatedEntity != arn || *st.TotalAuthenticatedEntities != 1 || *st.ServiceName != "AWS Security Token Service" {
		t.Fatalf("sts %+v", st)
	}
	if s3 := byNS["s3"]; s3.LastAuthenticated != nil || *s3.TotalAuthenticatedEntities != 0 {
		t.Fatalf("s3 %+v", s3)
	}
	ents := must(e.iam.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: job, ServiceNamespace: aws.String("sts")}))
	if len(ents.EntityDetailsList) != 1 || *ents.EntityDetailsList[0].EntityInfo.Name != "u" || ents.EntityDetailsList[0].LastAuthenticated == nil {
		t.Fatalf("entities %+v", ents.EntityDetailsList)
	}
	_, err := e.iam.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::" + account + ":role/none")})
	// (recorded, 2026: last_access.json, generate_arn_*)
	wantErr(t, err, "NoSuchEntity", 404, "ARN arn:aws:iam::"+account+":role/none does not exist.")
	for _, c := range []struct{ arn, code, msg string }{
		{"arn:aws:iam::111122223333:user/u", "AccessDenied", "User: arn:aws:iam::" + account + ":root is not authorized to perform the operation on arn:aws:iam::111122223333:user/u"},
		{"arn:aws:s3::" + account + ":user/u", "ValidationError", "Invalid service in ARN"},
		{"arn:aws-cn:iam::" + account + ":user/u", "ValidationError", "Invalid ARN partition"},
		{"arn:aws:iam::" + account + ":root", "InvalidInput", "Invalid Entity Arn: arn:aws:iam::" + account + ":root is not supported."},
	} {
		_, err := e.iam.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(c.arn)})
		status := 400
		if c.code == "AccessDenied" {
			status = 403
		}
		wantErr(t, err, c.code, status, c.msg)
	}
	_, err = e.iam.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String("00000000-0000-0000-0000-000000000000")})
	wantErr(t, err, "NoSuchEntity", 404, "Job 00000000-0000-0000-0000-000000000000 does not exist.")
	_, err = e.iam.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(strings.Repeat("x", 36)), ServiceNamespace: aws.String("s3")})
	wantErr(t, err, "NoSuchEntity", 404, "Job "+strings.Repeat("x", 36)+" does not exist.")
	// A policy's report covers every service its document allows.
	job = must(e.iam.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})).JobId
	if n := len(must(e.iam.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job})).ServicesLastAccessed); n < 20 {
		t.Fatalf("AdministratorAccess covers %d services", n)
	}
}
