package s3

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"hash/crc32"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/minio/crc64nvme"
	"github.com/zeebo/xxh3"

	api "github.com/palisade/palisade/internal/api/s3"
)

// The additional checksum algorithms S3 verifies and stores (x-amz-checksum-*). The
// XXHASH family's values are the canonical big-endian bytes of xxHash64, XXH3-64 and
// XXH3-128 with seed zero (recorded, 2026: checksum_algorithms_object_replay.json).
const (
	algCRC32     = "CRC32"
	algCRC32C    = "CRC32C"
	algCRC64NVME = "CRC64NVME"
	algSHA1      = "SHA1"
	algSHA256    = "SHA256"
	algSHA512    = "SHA512"
	algMD5       = "MD5"
	algXXHASH64  = "XXHASH64"
	algXXHASH3   = "XXHASH3"
	algXXHASH128 = "XXHASH128"
)

var checksumAlgs = []string{algCRC32, algCRC32C, algCRC64NVME, algSHA1, algSHA256, algSHA512, algMD5, algXXHASH64, algXXHASH3, algXXHASH128}

// Checksum types of a multipart object: a checksum of the whole body, or a checksum
// of the parts' checksums ("-N" suffix).
const (
	typeFullObject = "FULL_OBJECT"
	typeComposite  = "COMPOSITE"
)

var crc32C = crc32.MakeTable(crc32.Castagnoli)

func knownAlg(a string) bool {
	for _, k := range checksumAlgs {
		if k == a {
			return true
		}
	}
	return false
}

func isCRC(a string) bool { return a == algCRC32 || a == algCRC32C || a == algCRC64NVME }

func newHash(a string) hash.Hash {
	switch a {
	case algCRC32:
		return crc32.NewIEEE()
	case algCRC32C:
		return crc32.New(crc32C)
	case algCRC64NVME:
		// CRC-64/NVME, which S3 computes for every new object. Go's hash/crc64 does
		// it a table at a time (1.6 GB/s here, a tenth of a 4 MiB PUT's CPU); minio's
		// carry-less-multiply code runs at tens of GB/s where the CPU has it.
		return crc64nvme.New()
	case algSHA1:
		return sha1.New()
	case algSHA256:
		return sha256.New()
	case algSHA512:
		return sha512.New()
	case algMD5:
		return md5.New()
	case algXXHASH64:
		return xxhash.New()
	case algXXHASH3:
		return xxh3.New()
	case algXXHASH128:
		return xxh3.New128()
	}
	return nil
}

// checksumHeader is the header that carries an algorithm's value.
func checksumHeader(a string) string { return "x-amz-checksum-" + strings.ToLower(a) }

// checksumLen is the decoded size of a value.
func checksumLen(a string) int {
	switch a {
	case algCRC32, algCRC32C:
		return 4
	case algCRC64NVME:
		return 8
	case algSHA1:
		return 20
	case algSHA256:
		return 32
	case algSHA512:
		return 64
	case algMD5, algXXHASH128:
		return 16
	case algXXHASH64, algXXHASH3:
		return 8
	}
	return 0
}

// validChecksum reports whether a client's value is well-formed base64 of the right
// size.
func validChecksum(a, v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) == checksumLen(a)
}

// checksumsOf reads the checksum members of a request or response structure by
// algorithm (ChecksumCRC32 ...).
type checksumFields struct {
	CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128 **string
}

func (f checksumFields) get() map[string]string {
	m := map[string]string{}
	for a, p := range f.ptrs() {
		if p != nil && *p != nil {
			m[a] = **p
		}
	}
	return m
}

func (f checksumFields) set(m map[string]string) {
	for a, p := range f.ptrs() {
		if v, ok := m[a]; ok && p != nil {
			*p = ptr(v)
		}
	}
}

func (f checksumFields) ptrs() map[string]**string {
	return map[string]**string{algCRC32: f.CRC32, algCRC32C: f.CRC32C, algCRC64NVME: f.CRC64NVME, algSHA1: f.SHA1,
		algSHA256: f.SHA256, algSHA512: f.SHA512, algMD5: f.MD5, algXXHASH64: f.XXHASH64, algXXHASH3: f.XXHASH3, algXXHASH128: f.XXHASH128}
}

func putChecksums(in *api.PutObjectRequest) checksumFields {
	return checksumFields{&in.ChecksumCRC32, &in.ChecksumCRC32C, &in.ChecksumCRC64NVME, &in.ChecksumSHA1, &in.ChecksumSHA256, &in.ChecksumSHA512, &in.ChecksumMD5, &in.ChecksumXXHASH64, &in.ChecksumXXHASH3, &in.ChecksumXXHASH128}
}

// crcCombine returns the CRC of A‖B from crc(A), crc(B) and len(B), for the reflected
// CRCs with all-ones init and xorout that S3 uses (zlib's crc32_combine, generalized to
// 64 bits), so a multipart upload's full-object CRC is known without reading it again.
func crcCombine(a string, crcA, crcB uint64, lenB int64) uint64 {
	if lenB <= 0 {
		return crcA
	}
	var poly uint64
	width := 32
	switch a {
	case algCRC32:
		poly = 0xedb88320
	case algCRC32C:
		poly = 0x82f63b78
	case algCRC64NVME:
		poly, width = 0x9a6c9329ac4bc9b5, 64
	}
	var odd, even [64]uint64
	odd[0] = poly
	row := uint64(1)
	for n := 1; n < width; n++ {
		odd[n] = row
		row <<= 1
	}
	square := func(dst, src *[64]uint64) {
		for n := 0; n < width; n++ {
			dst[n] = gf2Times(src, src[n])
		}
	}
	square(&even, &odd) // two zero bits
	square(&odd, &even) // four zero bits
	for {
		square(&even, &odd)
		if lenB&1 != 0 {
			crcA = gf2Times(&even, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
		square(&odd, &even)
		if lenB&1 != 0 {
			crcA = gf2Times(&odd, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
	}
	return crcA ^ crcB
}

func gf2Times(mat *[64]uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i++ {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
		vec >>= 1
	}
	return sum
}

// crcValue decodes a base64 CRC value.
func crcValue(b64 string) uint64 {
	b, _ := base64.StdEncoding.DecodeString(b64)
	switch len(b) {
	case 4:
		return uint64(binary.BigEndian.Uint32(b))
	case 8:
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

func crcText(a string, v uint64) string {
	if a == algCRC64NVME {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], v)
		return base64.StdEncoding.EncodeToString(b[:])
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(v))
	return base64.StdEncoding.EncodeToString(b[:])
}

// compositeChecksum is the checksum of the parts' raw checksums, suffixed with the
// part count, as S3 reports a COMPOSITE multipart checksum.
func compositeChecksum(a string, parts []string) string {
	h := newHash(a)
	for _, p := range parts {
		b, _ := base64.StdEncoding.DecodeString(p)
		h.Write(b)
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
}
