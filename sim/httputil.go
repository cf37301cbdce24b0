package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// marshal encodes v as the venue does: compact, without Go's HTML escaping.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("sim: cannot encode " + err.Error()) // only our own types reach here
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// writeJSON writes v as JSON with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	body := marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
}

// writeError writes the venue's error shape {"error": msg}.
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// writeErr writes err: an *Error with its status, anything else as a 500.
func writeErr(w http.ResponseWriter, err error) {
	var e *Error
	if errors.As(err, &e) {
		writeError(w, e.Status, e.Message)
		return
	}
	writeError(w, http.StatusInternalServerError, MsgInternal)
}

// jsonErrors turns the plain-text errors of http.ServeMux (404 for unknown
// paths, 405 for a wrong method) into the venue's JSON error shape.
func jsonErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&jsonErrorWriter{ResponseWriter: w}, r)
	})
}

type jsonErrorWriter struct {
	http.ResponseWriter
	swallow bool
}

func (w *jsonErrorWriter) WriteHeader(code int) {
	h := w.Header()
	if code >= 400 && strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		msg := "not found"
		if code == http.StatusMethodNotAllowed {
			msg = "method not allowed"
		} else if code != http.StatusNotFound {
			msg = strings.ToLower(http.StatusText(code))
		}
		h.Set("Content-Type", "application/json")
		h.Del("Content-Length")
		w.ResponseWriter.WriteHeader(code)
		w.ResponseWriter.Write(marshal(map[string]string{"error": msg})) //nolint:errcheck
		w.swallow = true
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *jsonErrorWriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// bufferWriter holds a response so a fault can delay or damage it.
type bufferWriter struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func newBufferWriter() *bufferWriter {
	return &bufferWriter{header: http.Header{}, code: http.StatusOK}
}

func (b *bufferWriter) Header() http.Header         { return b.header }
func (b *bufferWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferWriter) WriteHeader(code int)        { b.code = code }
