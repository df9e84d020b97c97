package s3

import (
	"strings"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/server"
)

// objectAttributes are the values x-amz-object-attributes may name.
var objectAttributes = map[string]bool{"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true}

// getObjectAttributes answers GetObjectAttributes: HeadObject's metadata and ListParts'
// parts of a completed multipart upload, only the attributes asked for. As recorded
// (radkawar/stackd testdata/aws/s3/multipart_attributes_audit_replay.json): the ETag
// without quotes; a composite checksum without its "-N" part count; StorageClass even
// when STANDARD; ObjectParts only for an object uploaded in parts, paginated like
// ListParts with its markers always present; a delete marker answers as to GetObject.
// An SSE-C object wants its key, as HEAD does (customer_encryption_data_replay.json,
// calls 12-14).
func (s *Service) getObjectAttributes(c *server.Call, in *api.GetObjectAttributesRequest) (*api.GetObjectAttributesOutput, error) {
	if c.HTTP != nil {
		// A header sent empty is a bad value, not a missing header (recorded, 2026:
		// multipart_raw_replay.json, single-attrs-: 400 InvalidArgument naming
		// x-amz-object-attributes and ""; single-attrs-omitted: InvalidRequest; the
		// message is not recorded: the one for a bad name).
		if vs, ok := c.HTTP.Header["X-Amz-Object-Attributes"]; ok && strings.TrimSpace(strings.Join(vs, "")) == "" {
			return nil, errInvalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", "")
		}
	}
	want, err := requestedAttributes(in.ObjectAttributes)
	if err != nil {
		return nil, err
	}
	ck := customerKey{in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5}
	rr, err := s.selectRead(c, readRequest{Bucket: in.Bucket, Key: in.Key, VersionID: str(in.VersionId), Customer: ck})
	if err != nil {
		return nil, err
	}
	o := rr.o
	if err := s.checkCustomerKey(c, o, ck); err != nil {
		return nil, err
	}
	if o.Enc.Mode == sseKMS || o.Enc.Mode == sseDSSE {
		// Unlike HEAD, an SSE-KMS object's attributes are refused to a caller KMS
		// does not let decrypt with its key, whichever attributes are asked and for
		// the current version as for a named one (recorded, 2026:
		// multipart_authority_replay.json, attributes-decrypt-lifecycle).
		if _, err := s.objectKey(c, o.Enc, ck); err != nil {
			return nil, err
		}
	}
	out := &api.GetObjectAttributesOutput{LastModified: ptr(o.LastModified)}
	if reportsVersion(rr.b, o) {
		out.VersionId = ptr(o.VersionID)
	}
	if want["ETag"] {
		out.ETag = ptr(o.ETag)
	}
	if want["Checksum"] && len(o.Checksums) > 0 {
		cs := &api.Checksum{ChecksumType: ptr(o.ChecksumType)}
		whole := map[string]string{}
		for a, v := range o.Checksums {
			// A composite checksum is the checksum of the parts' checksums; its "-N"
			// (CompleteMultipartUpload's answer) is not part of it here.
			if i := strings.LastIndexByte(v, '-'); i > 0 && o.ChecksumType == "COMPOSITE" {
				v = v[:i]
			}
			whole[a] = v
		}
		checksumFields{&cs.ChecksumCRC32, &cs.ChecksumCRC32C, &cs.ChecksumCRC64NVME, &cs.ChecksumSHA1, &cs.ChecksumSHA256, &cs.ChecksumSHA512,
			&cs.ChecksumMD5, &cs.ChecksumXXHASH64, &cs.ChecksumXXHASH3, &cs.ChecksumXXHASH128}.set(whole)
		out.Checksum = cs
	}
	switch {
	case !want["ObjectParts"] || len(o.Parts) == 0:
	case o.ChecksumType != typeComposite:
		// Only a composite object's parts are listed, with their checksums; a
		// full-object one's (with or without a checksum algorithm named) are counted,
		// whatever the page asked (recorded, 2026: multipart_readers_replay.json,
		// reader-gap-attributes, reader-subset-attributes-page1,
		// reader-full-attributes-marker1).
		out.ObjectParts = &api.GetObjectAttributesParts{TotalPartsCount: ptr(int32(len(o.Parts)))}
	default:
		out.ObjectParts = objectParts(o.Parts, in.PartNumberMarker, in.MaxParts)
	}
	if want["StorageClass"] {
		sc := o.StorageClass
		if sc == "" {
			sc = "STANDARD"
		}
		out.StorageClass = ptr(sc)
	}
	if want["ObjectSize"] {
		out.ObjectSize = ptr(o.Size)
	}
	s.objectResources(c, rr.b, o.Key)
	return out, nil
}

// requestedAttributes checks x-amz-object-attributes (its values, comma-separated in
// the header, are split by the protocol layer): at least one, each a known name. S3's
// words as other S3 implementations' tests against it show them (versity/versitygw
// issues 915 and 1000); empty values are passed over.
func requestedAttributes(names []string) (map[string]bool, error) {
	want := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !objectAttributes[n] {
			return nil, errInvalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", n)
		}
		want[n] = true
	}
	if len(want) == 0 {
		return nil, errInvalidRequest("The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
	}
	return want, nil
}

// objectParts is a page of a multipart object's parts: those after marker, at most
// max (1,000 when not given, as ListParts).
func objectParts(parts []partInfo, marker, max *int32) *api.GetObjectAttributesParts {
	after, limit := int32(0), int32(1000)
	if marker != nil && *marker > 0 {
		after = *marker
	}
	if max != nil {
		limit = *max
	}
	// S3 echoes MaxParts as asked, even above 1,000; a negative one lists nothing
	// and says the list goes on, 0 lists nothing and says it does not; the next
	// marker is the last part listed, 0 when none is (recorded, 2026:
	// multipart_read_bounds_replay.json, attrs-max-0, attrs-max--1, attrs-max-1001,
	// attrs-marker-2, attrs-marker-10001).
	out := &api.GetObjectAttributesParts{TotalPartsCount: ptr(int32(len(parts))), PartNumberMarker: ptr(after), MaxParts: ptr(limit), IsTruncated: ptr(false)}
	if limit < 0 {
		out.NextPartNumberMarker, out.IsTruncated = ptr(limit), ptr(true)
		return out
	}
	if limit == 0 {
		out.NextPartNumberMarker = ptr(int32(0))
		return out
	}
	limit = min(limit, 1000)
	next := int32(0)
	for i, p := range parts {
		n := int32(i + 1)
		if n <= after {
			continue
		}
		if int32(len(out.Parts)) == limit {
			out.IsTruncated = ptr(true)
			break
		}
		op := api.ObjectPart{PartNumber: ptr(n), Size: ptr(p.Size)}
		checksumFields{&op.ChecksumCRC32, &op.ChecksumCRC32C, &op.ChecksumCRC64NVME, &op.ChecksumSHA1, &op.ChecksumSHA256, &op.ChecksumSHA512,
			&op.ChecksumMD5, &op.ChecksumXXHASH64, &op.ChecksumXXHASH3, &op.ChecksumXXHASH128}.set(p.Checksums)
		out.Parts = append(out.Parts, op)
		next = n
	}
	out.NextPartNumberMarker = ptr(next)
	return out
}
