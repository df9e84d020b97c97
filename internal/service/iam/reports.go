package iam

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// reportLifetime: GenerateCredentialReport reuses a report younger than this, and
// GetCredentialReport no longer returns an older one (IAM documents the four hours).
const reportLifetime = 4 * time.Hour

const reportKey = "credential-report"

// reportRec is the account's last credential report.
type reportRec struct {
	Generated time.Time `json:"generated"`
	Content   []byte    `json:"content"`
}

// credentialReportHeader is the report's header line, exactly as IAM writes it.
var credentialReportHeader = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed", "password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

func (s *svc) reportHandlers() []server.Handler {
	return []server.Handler{
		// The Generate* reports are reads for IAM (access level Read) and for
		// CloudTrail, though they store the report they start.
		server.Write("GenerateCredentialReport", s.generateCredentialReport).ReadOnlyEvent(),
		server.Read("GetCredentialReport", s.getCredentialReport),
		server.Write("GenerateServiceLastAccessedDetails", s.generateServiceLastAccessedDetails).ReadOnlyEvent(),
		server.Read("GetServiceLastAccessedDetails", s.getServiceLastAccessedDetails),
		server.Read("GetServiceLastAccessedDetailsWithEntities", s.getServiceLastAccessedDetailsWithEntities),
		server.Read("ListPoliciesGrantingServiceAccess", s.listPoliciesGrantingServiceAccess),
		server.Write("GenerateOrganizationsAccessReport", s.generateOrganizationsAccessReport).ReadOnlyEvent(),
		server.Read("GetOrganizationsAccessReport", s.getOrganizationsAccessReport),
	}
}

// reportTime is IAM's credential-report time format: ISO 8601 in UTC with Z, as
// AWS's report holds it (radkawar/stackd testdata/aws/iam/credential_report.json).
func reportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// generateCredentialReport builds the report at once, in the call's transaction, so
// it is consistent with the state the call saw: the first call answers STARTED, later
// ones COMPLETE while the report is younger than four hours.
func (s *svc) generateCredentialReport(c *server.Call, _ *model.Empty) (*api.GenerateCredentialReportResponse, error) {
	r, err := load[reportRec](c.Tx, ns(c.Account, tAccount), reportKey)
	if err != nil {
		return nil, err
	}
	if r != nil && c.Now.Sub(r.Generated) < reportLifetime {
		return &api.GenerateCredentialReportResponse{State: ptr(api.ReportStateTypeCOMPLETE)}, nil
	}
	content, err := s.credentialReport(c.Tx, c.Account, c.Now)
	if err != nil {
		return nil, err
	}
	if err := c.Tx.PutJSON(ns(c.Account, tAccount), reportKey, reportRec{Generated: timeUTC(c.Now), Content: content}); err != nil {
		return nil, err
	}
	return &api.GenerateCredentialReportResponse{State: ptr(api.ReportStateTypeSTARTED), Description: ptr("No report exists. Starting a new report generation task")}, nil
}

// getCredentialReport answers ReportNotPresent (410) without a message, as IAM does,
// when there is no report, and ReportExpired (410) when the last one is older than
// four hours: the API Reference's error for "the most recent credential report has
// expired" (its message is not documented; left empty like ReportNotPresent's).
func (s *svc) getCredentialReport(c *server.Call, _ *model.Empty) (*api.GetCredentialReportResponse, error) {
	r, err := load[reportRec](c.Tx, ns(c.Account, tAccount), reportKey)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, api.NewCredentialReportNotPresentException("")
	}
	if c.Now.Sub(r.Generated) >= reportLifetime {
		return nil, api.NewCredentialReportExpiredException("")
	}
	return &api.GetCredentialReportResponse{Content: r.Content, ReportFormat: ptr(api.ReportFormatTypeTextCsv), GeneratedTime: ptr(r.Generated)}, nil
}

// credentialReport writes the CSV: the root user first, then every user by name.
func (s *svc) credentialReport(tx *store.Tx, account string, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(credentialReportHeader)
	pp, err := loadPasswordPolicy(tx, account)
	if err != nil {
		return nil, err
	}
	created, err := s.accountCreated(tx, account, now)
	if err != nil {
		return nil, err
	}
	rootKeys, err := s.ownerKeys(tx, account, keyOwner{})
	if err != nil {
		return nil, err
	}
	// The root user's password_enabled is a boolean (credential_report.json); a
	// Palisade root user has no console password.
	root := []string{"<root_account>", auth.RootPrincipal(account).ARN, reportTime(created), "false", "no_information", "not_supported", "not_supported", "false"}
	rootCerts, err := certColumns(tx, account, rootOwner)
	if err != nil {
		return nil, err
	}
	w.Write(append(append(root, s.keyColumns(tx, account, rootKeys)...), rootCerts...))
	err = scanPrefix(tx, ns(account, tUsers), "", "", func(_ string, v []byte) (bool, error) {
		var u userRec
		if err := json.Unmarshal(v, &u); err != nil {
			return false, err
		}
		row, err := s.userRow(tx, account, &u, pp)
		if err != nil {
			return false, err
		}
		w.Write(row)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	w.Flush()
	// AWS's report does not end with a newline (credential_report.json).
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), w.Error()
}

// certColumns are cert_1_active, cert_1_last_rotated, cert_2_active and
// cert_2_last_rotated: the owner's signing certificates, oldest first, each last
// rotated when it was uploaded.
func certColumns(tx *store.Tx, account, owner string) ([]string, error) {
	certs, err := ownerCerts(tx, account, owner)
	if err != nil {
		return nil, err
	}
	var cols []string
	for i := range 2 {
		if i >= len(certs) {
			cols = append(cols, "false", "N/A")
			continue
		}
		cols = append(cols, strconv.FormatBool(certs[i].Active), reportTime(certs[i].Uploaded))
	}
	return cols, nil
}

func (s *svc) userRow(tx *store.Tx, account string, u *userRec, pp *passwordPolicy) ([]string, error) {
	row := []string{u.Name, u.arn(account), reportTime(u.Created)}
	lp, err := load[loginRec](tx, ns(account, tLogins), u.ID)
	if err != nil {
		return nil, err
	}
	if lp == nil {
		row = append(row, "false", "N/A", "N/A", "N/A")
	} else {
		lastUsed := "no_information"
		if u.PasswordLastUsed != nil {
			lastUsed = reportTime(*u.PasswordLastUsed)
		}
		next := "N/A"
		if pp != nil && pp.MaxAge > 0 {
			next = reportTime(lp.Changed.AddDate(0, 0, int(pp.MaxAge)))
		}
		row = append(row, "true", lastUsed, reportTime(lp.Changed), next)
	}
	mfa, err := exists(tx, ns(account, tUserMFA), u.ID+"/")
	if err != nil {
		return nil, err
	}
	row = append(row, strconv.FormatBool(mfa))
	keys, err := s.ownerKeys(tx, account, keyOwner{u})
	if err != nil {
		return nil, err
	}
	certs, err := certColumns(tx, account, u.ID)
	if err != nil {
		return nil, err
	}
	return append(append(row, s.keyColumns(tx, account, keys)...), certs...), nil
}

// keyColumns are the ten access_key_1/2 columns for the owner's keys in access key ID
// order (AWS's report puts a user's keys so, whichever was made first:
// credential_report.json).
func (s *svc) keyColumns(tx *store.Tx, account string, keys []auth.KeyInfo) []string {
	keys = slices.Clone(keys)
	slices.SortFunc(keys, func(a, b auth.KeyInfo) int { return strings.Compare(a.AccessKeyID, b.AccessKeyID) })
	var cols []string
	for i := range 2 {
		if i >= len(keys) {
			cols = append(cols, "false", "N/A", "N/A", "N/A", "N/A")
			continue
		}
		k := keys[i]
		cols = append(cols, strconv.FormatBool(k.Active), reportTime(k.Created))
		if use, ok := s.usage.keyLastUsed(tx, account, k.AccessKeyID); ok {
			cols = append(cols, reportTime(use.At), use.Region, use.Service)
		} else {
			cols = append(cols, "N/A", "N/A", "N/A")
		}
	}
	return cols
}
