package wire_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	r53api "github.com/palisade/palisade/internal/api/route53"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire"
	"github.com/palisade/palisade/internal/wire/wiretest"
)

func lookup(t *testing.T, name string) wire.Protocol {
	t.Helper()
	p, ok := wire.Lookup(name)
	if !ok {
		t.Fatalf("protocol %s is not registered", name)
	}
	return p
}

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}

func TestRestXMLRoute53HealthChecks(t *testing.T) {
	hc := func(id string) r53api.HealthCheck {
		return r53api.HealthCheck{
			Id: id, CallerReference: "ref-" + id, HealthCheckVersion: 3,
			HealthCheckConfig: &r53api.HealthCheckConfig{Type: "HTTPS", FullyQualifiedDomainName: aws.String("example.com"), Port: aws.Int32(443),
				ResourcePath: aws.String("/health?x=1&y=2"), RequestInterval: aws.Int32(30), Regions: []string{"us-east-1", "eu-west-1", "ap-southeast-2"}, Inverted: aws.Bool(false)},
			CloudWatchAlarmConfiguration: &r53api.CloudWatchAlarmConfiguration{EvaluationPeriods: 1, Threshold: 1.5, ComparisonOperator: "GreaterThanThreshold",
				Period: 60, MetricName: "HealthCheckStatus", Namespace: "AWS/Route53", Statistic: "Minimum",
				Dimensions: []r53api.Dimension{{Name: "HealthCheckId", Value: id}}},
		}
	}
	deleted := ""
	srv := wiretest.Server(t, r53api.Service, map[string]wiretest.Handler{
		"CreateHealthCheck": func(in map[string]any) (map[string]any, *model.Error) {
			var req r53api.CreateHealthCheckRequest
			mustUnmarshalInto(t, in, &req)
			c := req.HealthCheckConfig
			if req.CallerReference != "ref-1" || c == nil || c.Type != "HTTPS" || *c.Port != 443 || *c.ResourcePath != "/health?x=1&y=2" ||
				len(c.Regions) != 3 || c.Regions[1] != "eu-west-1" || *c.Inverted || !*c.EnableSNI {
				t.Errorf("decoded %+v %+v", req, c)
			}
			out := r53api.CreateHealthCheckResponse{HealthCheck: ptr(hc("hc-1")), Location: "https://route53.amazonaws.com/2013-04-01/healthcheck/hc-1"}
			return model.Marshal(&out), nil
		},
		"GetHealthCheck": func(in map[string]any) (map[string]any, *model.Error) {
			if in["HealthCheckId"] != "hc-1" {
				return nil, r53api.NewNoSuchHealthCheck("No health check exists with the specified ID " + in["HealthCheckId"].(string))
			}
			return model.Marshal(&r53api.GetHealthCheckResponse{HealthCheck: ptr(hc("hc-1"))}), nil
		},
		"ListHealthChecks": func(in map[string]any) (map[string]any, *model.Error) {
			var req r53api.ListHealthChecksRequest
			mustUnmarshalInto(t, in, &req)
			if *req.Marker != "m0" || *req.MaxItems != "2" {
				t.Errorf("decoded %+v", req)
			}
			out := r53api.ListHealthChecksResponse{HealthChecks: []r53api.HealthCheck{hc("hc-1"), hc("hc-2")}, Marker: "m0", IsTruncated: true, NextMarker: aws.String("m2"), MaxItems: "2"}
			return model.Marshal(&out), nil
		},
		"DeleteHealthCheck": func(in map[string]any) (map[string]any, *model.Error) {
			deleted = in["HealthCheckId"].(string)
			return map[string]any{}, nil
		},
	})
	c := route53.NewFromConfig(sdkConfig(srv.URL))
	ctx := context.Background()
	check := func(h *r53types.HealthCheck, id string) {
		t.Helper()
		cfg := h.HealthCheckConfig
		alarm := h.CloudWatchAlarmConfiguration
		if *h.Id != id || *h.CallerReference != "ref-"+id || *h.HealthCheckVersion != 3 || cfg.Type != r53types.HealthCheckTypeHttps || *cfg.Port != 443 ||
			*cfg.ResourcePath != "/health?x=1&y=2" || *cfg.RequestInterval != 30 || len(cfg.Regions) != 3 || cfg.Regions[0] != r53types.HealthCheckRegionUsEast1 ||
			*cfg.Inverted || *alarm.Threshold != 1.5 || *alarm.Period != 60 || alarm.Statistic != r53types.StatisticMinimum ||
			len(alarm.Dimensions) != 1 || *alarm.Dimensions[0].Value != id {
			t.Fatalf("got %+v %+v %+v", h, cfg, alarm)
		}
	}
	cr, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("ref-1"), HealthCheckConfig: &r53types.HealthCheckConfig{
		Type: r53types.HealthCheckTypeHttps, FullyQualifiedDomainName: aws.String("example.com"), Port: aws.Int32(443), ResourcePath: aws.String("/health?x=1&y=2"),
		Regions: []r53types.HealthCheckRegion{"us-east-1", "eu-west-1", "ap-southeast-2"}, Inverted: aws.Bool(false), EnableSNI: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	check(cr.HealthCheck, "hc-1")
	if *cr.Location != "https://route53.amazonaws.com/2013-04-01/healthcheck/hc-1" {
		t.Fatalf("Location %q", *cr.Location)
	}
	gh, err := c.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: aws.String("hc-1")})
	if err != nil {
		t.Fatal(err)
	}
	check(gh.HealthCheck, "hc-1")
	lh, err := c.ListHealthChecks(ctx, &route53.ListHealthChecksInput{Marker: aws.String("m0"), MaxItems: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lh.HealthChecks) != 2 || !lh.IsTruncated || *lh.NextMarker != "m2" || *lh.MaxItems != 2 || *lh.Marker != "m0" {
		t.Fatalf("got %+v", lh)
	}
	check(&lh.HealthChecks[1], "hc-2")
	if _, err := c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: aws.String("hc/9 x")}); err != nil {
		t.Fatal(err)
	}
	if deleted != "hc/9 x" {
		t.Fatalf("deleted %q", deleted)
	}

	_, err = c.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: aws.String("nope")})
	var nshc *r53types.NoSuchHealthCheck
	if !errors.As(err, &nshc) || nshc.ErrorMessage() != "No health check exists with the specified ID nope" {
		t.Fatalf("want NoSuchHealthCheck, got %v", err)
	}

	// Constraints the SDK does not check come back as Route 53's InvalidInput.
	_, err = c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String(strings.Repeat("r", 65)),
		HealthCheckConfig: &r53types.HealthCheckConfig{Type: r53types.HealthCheckTypeTcp, Port: aws.Int32(70000)}})
	var ii *r53types.InvalidInput
	want := "2 validation errors detected: Value '" + strings.Repeat("r", 65) + "' at 'callerReference' failed to satisfy constraint: Member must have length less than or equal to 64; " +
		"Value '70000' at 'healthCheckConfig.port' failed to satisfy constraint: Member must have value less than or equal to 65535"
	if !errors.As(err, &ii) || ii.ErrorMessage() != want {
		t.Fatalf("want InvalidInput, got %v", err)
	}

	// The wire: the response root and namespace, Route 53's error document and its
	// answers to bodies that are not the request it takes.
	get := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if ids := resp.Header.Values("x-amzn-RequestId"); len(ids) != 1 || ids[0] != "00000000-0000-4000-8000-000000000000" {
			t.Errorf("%s %s: request id headers %q", method, path, ids)
		}
		return resp.StatusCode, string(b)
	}
	if status, body := get("GET", "/2013-04-01/healthcheck/hc-1", ""); status != 200 ||
		!strings.Contains(body, `<GetHealthCheckResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HealthCheck><Id>hc-1</Id>`) ||
		!strings.Contains(body, `<Regions><Region>us-east-1</Region><Region>eu-west-1</Region><Region>ap-southeast-2</Region></Regions>`) {
		t.Fatalf("GetHealthCheck wire: %d %s", status, body)
	}
	ns := `<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type>`
	for _, tc := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/2013-04-01/healthcheck/nope", "", 404, ns + `<Code>NoSuchHealthCheck</Code><Message>No health check exists with the specified ID nope</Message></Error><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ErrorResponse>`},
		{"POST", "/2013-04-01/healthcheck", "<CreateHealthCheckRequest><CallerRef", 400, ns + `<Code>MalformedInput</Code><Message>Could not parse XML</Message>`},
		{"POST", "/2013-04-01/healthcheck", "<HealthCheckConfig/>", 400, ns + `<Code>MalformedInput</Code><Message>HealthCheckConfig is not valid, expected CreateHealthCheckRequest</Message>`},
		{"POST", "/2013-04-01/healthcheck", "<CreateHealthCheckRequest><CallerReference>r</CallerReference><HealthCheckConfig><Port>https</Port><Type>TCP</Type></HealthCheckConfig></CreateHealthCheckRequest>",
			400, ns + `<Code>InvalidInput</Code><Message>Invalid XML ; cvc-datatype-valid.1.2.1: 'https' is not a valid value for 'integer'.</Message>`},
		{"GET", "/2013-04-01/nothing/here", "", 404, ns + `<Code>UnknownOperationException</Code>`},
	} {
		if status, body := get(tc.method, tc.path, tc.body); status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, status, body)
		}
	}
}

func ptr[T any](v T) *T { return &v }
