package authz

import (
	"fmt"
	"testing"

	"github.com/palisade/palisade/internal/policy"
)

// Compiled documents are cached by content; callers choose session and resource
// policies freely, so the cache must stay bounded however many distinct ones arrive.
func TestCompileCacheIsBounded(t *testing.T) {
	a := New(nil)
	doc := func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b%d/*"}]}`, i)
	}
	first, err := a.Compile(policy.KindSession, "s", doc(0))
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := a.Compile(policy.KindSession, "s", doc(0)); again != first {
		t.Fatal("the same document was compiled twice")
	}
	for i := 1; i < docsSize+100; i++ {
		if _, err := a.Compile(policy.KindSession, "s", doc(i)); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	a.docs.Range(func(any, any) bool { n++; return true })
	if n > docsSize || a.docsN.Load() != int64(n) {
		t.Fatalf("cache holds %d documents (counted %d), bound %d", n, a.docsN.Load(), docsSize)
	}
	p, err := a.Compile(policy.KindSession, "s", doc(0))
	if err != nil || p == nil {
		t.Fatalf("recompiling after the cache started over: %v", err)
	}
}
