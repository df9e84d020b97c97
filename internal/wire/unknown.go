package wire

import (
	"net/http"

	"github.com/palisade/palisade/internal/model"
)

// UnknownOperation is the error for an operation the model has but Palisade does not
// serve: the same error the protocol gives for an operation it has never heard of, so
// a client cannot tell an unserved operation from a nonexistent one.
func UnknownOperation(p Protocol, r *Request, name string) *model.Error {
	switch p.Name() {
	case "query":
		version := ""
		if vals, err := r.form(); err == nil {
			version = vals.Get("Version")
		}
		return model.NewError(400, "InvalidAction", "Could not find operation %s for version %s", name, version)
	case "ec2":
		return model.NewError(400, "InvalidAction", "The action %s is not valid for this web service.", name)
	case "rest-xml":
		if r.Service != nil && r.Service.Name == "s3" {
			return model.NewError(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented")
		}
		return model.NewError(400, "InvalidAction", "The action %s is not valid for this web service.", name)
	case "rest-json":
		return model.NewError(404, "UnknownOperationException", "")
	}
	return model.NewError(400, "UnknownOperationException", "")
}
