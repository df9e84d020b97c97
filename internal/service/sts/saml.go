package sts

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	api "github.com/palisade/palisade/internal/api/sts"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/server"
)

// Messages of AssumeRoleWithSAML. Quoted from AWS where known (IAM User Guide,
// "Troubleshoot SAML federation with IAM"); the rest inferred in its style.
const (
	msgSAMLSignature   = "Response signature invalid"
	msgSAMLNoProvider  = "Specified provider doesn't exist"
	msgSAMLSessionName = "RoleSessionName is required in AuthnResponse"
	msgNotAuthSAML     = "Not authorized to perform sts:AssumeRoleWithSAML"
	msgSAMLInvalid     = "Invalid SAML response"                                                         // inferred
	msgSAMLIssuer      = "The issuer of the SAML assertion is not the identity provider of the metadata" // inferred
	msgSAMLAudience    = "The SAML assertion is not intended for AWS: its audience restriction names no AWS sign-in endpoint"
	msgSAMLNotYet      = "The SAML assertion is not valid yet"
)

// SAML names.
const (
	nsProtocol     = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion    = "urn:oasis:names:tc:SAML:2.0:assertion"
	statusSuccess  = "urn:oasis:names:tc:SAML:2.0:status:Success"
	nameIDPrefix   = "urn:oasis:names:tc:SAML:2.0:nameid-format:"
	attrRole       = "https://aws.amazon.com/SAML/Attributes/Role"
	attrSession    = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	attrSourceID   = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
	attrTagPrefix  = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
	attrTransitive = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys"
	attrDuration   = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
)

// samlAttributeKeys maps the attributes AWS turns into saml: condition keys (IAM
// User Guide, "Available keys for SAML-based AWS STS federation"), by OID and name.
var samlAttributeKeys = map[string]string{
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.1":   "saml:edupersonaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.6":   "saml:edupersonprincipalname",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.7":   "saml:edupersonentitlement",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.5":   "saml:edupersonprimaryaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.9":   "saml:edupersonscopedaffiliation",
	"urn:oid:2.5.4.3":                    "saml:cn",
	"urn:oid:0.9.2342.19200300.100.1.3":  "saml:mail",
	"urn:oid:0.9.2342.19200300.100.1.1":  "saml:uid",
	"urn:oid:2.5.4.42":                   "saml:givenName",
	"urn:oid:2.5.4.4":                    "saml:surname",
	"urn:oid:2.5.4.10":                   "saml:organizationStatus",
	"urn:oid:2.16.840.1.113730.3.1.241":  "saml:name",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.10":  "saml:edupersontargetedid",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.2":   "saml:edupersonnickname",
	"urn:oid:0.9.2342.19200300.100.1.10": "saml:x500UniqueIdentifier",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.3":   "saml:edupersonorgdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.4":   "saml:edupersonorgunitdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.8":   "saml:edupersonprimaryorgunitdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.11":  "saml:edupersonassurance",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.2":   "saml:eduorghomepageuri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.3":   "saml:eduorgidentityauthnpolicyuri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.4":   "saml:eduorglegalname",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.5":   "saml:eduorgsuperioruri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.6":   "saml:eduorgwhitepagesuri",
	// Active Directory claims (same User Guide page, "Active Directory attributes").
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name":         "saml:name",
	"http://schemas.xmlsoap.org/claims/CommonName":                       "saml:commonName",
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname":    "saml:givenName",
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname":      "saml:surname",
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "saml:mail",
}

// awsAudiences are the audiences an assertion for AWS names.
func awsAudience(a string) bool {
	if a == "urn:amazon:webservices" || a == "https://signin.aws.amazon.com/saml" {
		return true
	}
	rest, ok := strings.CutPrefix(a, "https://")
	return ok && strings.HasSuffix(rest, ".signin.aws.amazon.com/saml")
}

// assertion is what STS takes from a verified SAML response.
type assertion struct {
	issuer, subject, format, recipient string
	notOnOrAfter, sessionNotOnOrAfter  time.Time
	attrs                              map[string][]string
}

// metadata reads the IdP's entity ID and signing certificates from SAML metadata.
func metadata(doc string) (string, []*x509.Certificate, error) {
	md := etree.NewDocument()
	if err := md.ReadFromString(doc); err != nil {
		return "", nil, err
	}
	root := md.Root()
	if root == nil {
		return "", nil, errors.New("empty metadata")
	}
	ed := root
	if ed.Tag != "EntityDescriptor" {
		if ed = root.FindElement(".//EntityDescriptor"); ed == nil {
			return "", nil, errors.New("no EntityDescriptor")
		}
	}
	var certs []*x509.Certificate
	for _, kd := range ed.FindElements(".//IDPSSODescriptor/KeyDescriptor") {
		if use := kd.SelectAttrValue("use", "signing"); use != "signing" {
			continue
		}
		for _, xc := range kd.FindElements(".//X509Certificate") {
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(xc.Text()), ""))
			if err != nil {
				continue
			}
			if c, err := x509.ParseCertificate(der); err == nil {
				certs = append(certs, c)
			}
		}
	}
	return ed.SelectAttrValue("entityID", ""), certs, nil
}

// verifySAML checks a base64 SAML response against the provider: its signature (of
// the response or of the assertion) with the metadata's certificates, the issuer,
// the audience and the validity period by Palisade's clock.
func verifySAML(encoded string, prov *SAMLProvider, now time.Time) (*assertion, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(encoded), ""))
	if err != nil {
		return nil, invalidToken(msgSAMLInvalid)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return nil, invalidToken(msgSAMLInvalid)
	}
	resp := doc.Root()
	if resp.Tag != "Response" || resp.NamespaceURI() != nsProtocol {
		return nil, invalidToken(msgSAMLInvalid)
	}
	entityID, certs, err := metadata(prov.Metadata)
	if err != nil || len(certs) == 0 {
		return nil, invalidToken(msgSAMLSignature)
	}
	vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: certs})
	vc.Clock = dsig.NewFakeClockAt(now)
	// Only what the signature covers is read: the validated copy, never the input.
	var as *etree.Element
	if signed, err := vc.Validate(resp); err == nil {
		as = child(signed, nsAssertion, "Assertion")
	} else if errors.Is(err, dsig.ErrMissingSignature) {
		if a := child(resp, nsAssertion, "Assertion"); a != nil {
			if signed, err := vc.Validate(a); err == nil {
				as = signed
			}
		}
	}
	if as == nil {
		return nil, invalidToken(msgSAMLSignature)
	}
	if st := resp.FindElement("./Status/StatusCode"); st != nil && st.SelectAttrValue("Value", "") != statusSuccess {
		return nil, invalidToken(msgSAMLInvalid)
	}
	a := &assertion{attrs: map[string][]string{}}
	if iss := child(as, nsAssertion, "Issuer"); iss != nil {
		a.issuer = strings.TrimSpace(iss.Text())
	}
	if a.issuer == "" || entityID != "" && a.issuer != entityID {
		return nil, invalidToken(msgSAMLIssuer)
	}
	if subj := child(as, nsAssertion, "Subject"); subj != nil {
		if nid := child(subj, nsAssertion, "NameID"); nid != nil {
			a.subject = strings.TrimSpace(nid.Text())
			a.format = nid.SelectAttrValue("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")
		}
		for _, sc := range subj.SelectElements("SubjectConfirmation") {
			if d := child(sc, nsAssertion, "SubjectConfirmationData"); d != nil {
				a.recipient = d.SelectAttrValue("Recipient", a.recipient)
				if t, ok := samlTime(d.SelectAttrValue("NotOnOrAfter", "")); ok {
					a.notOnOrAfter = t
				}
			}
		}
	}
	cond := child(as, nsAssertion, "Conditions")
	if cond != nil {
		if t, ok := samlTime(cond.SelectAttrValue("NotBefore", "")); ok && now.Add(webSkew).Before(t) {
			return nil, api.NewIDPRejectedClaimException(msgSAMLNotYet)
		}
		if t, ok := samlTime(cond.SelectAttrValue("NotOnOrAfter", "")); ok && (a.notOnOrAfter.IsZero() || t.Before(a.notOnOrAfter)) {
			a.notOnOrAfter = t
		}
		forAWS, restricted := false, false
		for _, ar := range cond.SelectElements("AudienceRestriction") {
			for _, au := range ar.SelectElements("Audience") {
				restricted = true
				forAWS = forAWS || awsAudience(strings.TrimSpace(au.Text()))
			}
		}
		if restricted && !forAWS {
			return nil, api.NewIDPRejectedClaimException(msgSAMLAudience)
		}
	}
	if !a.notOnOrAfter.IsZero() && !now.Before(a.notOnOrAfter) {
		return nil, api.NewExpiredTokenException(fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), a.notOnOrAfter.Unix()))
	}
	if authn := child(as, nsAssertion, "AuthnStatement"); authn != nil {
		if t, ok := samlTime(authn.SelectAttrValue("SessionNotOnOrAfter", "")); ok {
			a.sessionNotOnOrAfter = t
		}
	}
	for _, st := range as.SelectElements("AttributeStatement") {
		for _, at := range st.SelectElements("Attribute") {
			name := at.SelectAttrValue("Name", "")
			for _, v := range at.SelectElements("AttributeValue") {
				a.attrs[name] = append(a.attrs[name], strings.TrimSpace(v.Text()))
			}
		}
	}
	return a, nil
}

// child is el's first child element with the local name tag in namespace ns.
func child(el *etree.Element, ns, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

func samlTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// roleAllowed reports whether the assertion's Role attribute lists the pair of role
// and provider the caller asked for (each value is "role-arn,provider-arn", either
// way round).
func (a *assertion) roleAllowed(role, provider string) bool {
	for _, v := range a.attrs[attrRole] {
		x, y, ok := strings.Cut(v, ",")
		if !ok {
			continue
		}
		x, y = strings.TrimSpace(x), strings.TrimSpace(y)
		if x == role && y == provider || x == provider && y == role {
			return true
		}
	}
	return false
}

// subjectType is the name ID format AWS reports: without the SAML 2.0 prefix.
func (a *assertion) subjectType() string { return strings.TrimPrefix(a.format, nameIDPrefix) }

// nameQualifier is AWS's hash of issuer, account and provider name (STS API
// Reference, AssumeRoleWithSAML, NameQualifier).
func nameQualifier(issuer, account, provider string) string {
	sum := sha1.Sum([]byte(issuer + account + "/" + provider))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func (s *svc) assumeRoleWithSAML(c *server.Call, in *api.AssumeRoleWithSAMLRequest) (*api.AssumeRoleWithSAMLResponse, error) {
	ref, err := parseRoleARN(in.RoleArn)
	if err != nil {
		return nil, err
	}
	c.Account = ref.account
	if err := s.regionDisabled(c, ref.account); err != nil {
		return nil, err
	}
	provAccount, _, _ := strings.Cut(strings.TrimPrefix(in.PrincipalArn, "arn:aws:iam::"), ":")
	prov, err := s.Directory.SAMLProvider(c.Tx, provAccount, in.PrincipalArn)
	if err != nil {
		return nil, err
	}
	if prov == nil {
		return nil, invalidToken(msgSAMLNoProvider)
	}
	a, err := verifySAML(in.SAMLAssertion, prov, c.Now)
	if err != nil {
		return nil, err
	}
	sessionName := first(a.attrs[attrSession])
	if sessionName == "" {
		return nil, invalidToken(msgSAMLSessionName)
	}
	nq := nameQualifier(a.issuer, provAccount, prov.Name)
	c.Principal = auth.Principal{Type: auth.SAMLUser, ARN: prov.ARN, UserID: nq + ":" + a.subject, UserName: a.subject}
	if !a.roleAllowed(in.RoleArn, in.PrincipalArn) {
		return nil, accessDenied(msgNotAuthSAML)
	}
	rq := &request{ref: ref, sessionName: sessionName, sourceIdentity: first(a.attrs[attrSourceID])}
	if rq.role, err = s.role(c, ref); err != nil {
		return nil, err
	}
	var tags []api.Tag
	for name, vs := range a.attrs {
		if k, ok := strings.CutPrefix(name, attrTagPrefix); ok && len(vs) > 0 {
			tags = append(tags, api.Tag{Key: k, Value: vs[0]})
		}
	}
	if rq.tags, rq.transitive, err = sessionTags(sortTags(tags), a.attrs[attrTransitive]); err != nil {
		return nil, err
	}
	if rq.policy, rq.policyARNs, err = s.sessionPolicies(c, ref.account, in.Policy, in.PolicyArns); err != nil {
		return nil, err
	}
	ctx := map[string][]string{
		"saml:aud": {a.recipient}, "saml:iss": {a.issuer}, "saml:sub": {a.subject}, "saml:sub_type": {a.subjectType()},
		"saml:namequalifier": {nq}, "saml:doc": {provAccount + "/" + prov.Name}, "aws:FederatedProvider": {prov.ARN},
	}
	for name, vs := range a.attrs {
		if k, ok := samlAttributeKeys[name]; ok {
			ctx[k] = vs
		}
	}
	if rq.sourceIdentity != "" {
		ctx["sts:SourceIdentity"] = []string{rq.sourceIdentity}
	}
	tagContext(ctx, rq.tags, rq.transitive)
	if err := s.authorize(c, "sts:AssumeRoleWithSAML", rq, ctx); err != nil {
		if denied(err) {
			return nil, accessDenied(msgNotAuthSAML)
		}
		return nil, err
	}
	d, err := duration(in.DurationSeconds, 3600, rq.role.MaxSession, msgMaxSession)
	if err != nil {
		return nil, err
	}
	if !a.sessionNotOnOrAfter.IsZero() {
		// The session lasts no longer than the IdP's session does.
		d = min(d, a.sessionNotOnOrAfter.Sub(c.Now).Truncate(time.Second))
	}
	if n, err := strconv.Atoi(strings.TrimSpace(first(a.attrs[attrDuration]))); err == nil && n > 0 {
		// The SessionDuration attribute can shorten the session, never extend it
		// (IAM User Guide, "Configure SAML assertions for the authentication
		// response", SAML SessionDuration attribute).
		d = min(d, time.Duration(n)*time.Second)
	}
	sess := &auth.Session{Op: "AssumeRoleWithSAML", FederatedProvider: prov.ARN}
	creds, user, packed, err := s.issueRoleSession(c, rq, sess, d)
	if err != nil {
		return nil, err
	}
	out := &api.AssumeRoleWithSAMLResponse{
		Credentials: creds, AssumedRoleUser: user, PackedPolicySize: packed,
		Subject: &a.subject, SubjectType: ptr(a.subjectType()), Issuer: &a.issuer, Audience: &a.recipient, NameQualifier: &nq,
	}
	if rq.sourceIdentity != "" {
		out.SourceIdentity = &rq.sourceIdentity
	}
	return out, nil
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

func sortTags(tags []api.Tag) []api.Tag {
	for i := 1; i < len(tags); i++ {
		for j := i; j > 0 && tags[j].Key < tags[j-1].Key; j-- {
			tags[j], tags[j-1] = tags[j-1], tags[j]
		}
	}
	return tags
}
