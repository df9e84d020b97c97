package model

import "fmt"

// Error is an AWS API error as a handler returns it and a protocol encodes it: the code,
// the message and the HTTP status that AWS sends for it. Fields carries the extra
// members some errors have (S3's BucketName, RequestTime...), keyed by member name.
type Error struct {
	Code    string
	Message string
	Status  int
	// Sender is true for client faults: the query protocol's <Type>Sender</Type>.
	Sender bool
	Fields map[string]any
	// Shape is the exception shape the error was made from, when there is one; json
	// protocols use its name for __type.
	Shape *Shape
	// Headers are HTTP headers the error's response carries besides the protocol's own
	// (S3's x-amz-delete-marker on the 404 of a deleted object); rest-xml writes them.
	Headers map[string]string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// NewError returns a client-fault error with a formatted message.
func NewError(status int, code, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Message: msg, Status: status, Sender: status < 500}
}

// ErrorFromShape builds the error an exception shape describes, with AWS's status and
// fault side from the model.
func ErrorFromShape(s *Shape, msg string) *Error {
	status := s.HTTPStatusCode
	if status == 0 {
		status = 400
		if s.Fault {
			status = 500
		}
	}
	return &Error{Code: s.Code(), Message: msg, Status: status, Sender: !s.Fault, Shape: s}
}

// WithHeader returns the error with a response header set (see Headers).
func (e *Error) WithHeader(name, value string) *Error {
	if e.Headers == nil {
		e.Headers = map[string]string{}
	}
	e.Headers[name] = value
	return e
}

// With returns the error with an extra member set, for errors that carry more than a
// message.
func (e *Error) With(member string, v any) *Error {
	if e.Fields == nil {
		e.Fields = map[string]any{}
	}
	e.Fields[member] = v
	return e
}
