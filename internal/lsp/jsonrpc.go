package lsp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// The base protocol: each message is a header block ("Content-Length: N",
// optionally "Content-Type: ...", each line ended by \r\n, then an empty
// line) and N bytes of JSON-RPC 2.0. Written here rather than taken from a
// library: it is about 150 lines, and the LSP libraries for Go bring
// loggers, websockets and their package inits into every start of the
// command (see the README).

// MaxMessage bounds one message's body: a document the editor sends whole.
// A bigger message is read past and dropped, so that the stream stays in
// step.
const MaxMessage = 256 << 20

// maxQueued bounds the bytes of the messages read but not yet handled:
// past it, the server reads no more until it has handled some, so that a
// client that does not read the server's output (which blocks the server)
// cannot make it hold many big messages. One message is always taken.
const maxQueued = 16 << 20

const (
	maxHeaderLine = 4 << 10
	maxHeaders    = 32
)

// message is any JSON-RPC message: a request (ID and Method), a
// notification (Method only) or a response (ID, and Result or Error).
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

func (m *message) isRequest() bool { return m.Method != "" && len(m.ID) > 0 }

// rpcError is a JSON-RPC error object.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return e.Message }

// JSON-RPC and LSP error codes.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
	codeNotInitialized = -32002
)

// errTooLarge says a message was over MaxMessage and was skipped.
var errTooLarge = errors.New("message too large")

// conn reads and writes framed messages.
type conn struct {
	r   *bufio.Reader
	wmu sync.Mutex
	w   io.Writer
	max int64
}

func newConn(r io.Reader, w io.Writer) *conn {
	return &conn{r: bufio.NewReaderSize(r, 64<<10), w: w, max: MaxMessage}
}

// frameError is a header the stream cannot be read past.
type frameError struct{ msg string }

func (e *frameError) Error() string { return e.msg }

// read returns the next message's body. io.EOF means the stream ended
// cleanly between messages; a *frameError that the framing is broken;
// errTooLarge that a message was skipped.
func (c *conn) read() ([]byte, error) {
	length := int64(-1)
	for n := 0; ; n++ {
		line, err := c.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull || len(line) > maxHeaderLine {
			return nil, &frameError{"header line longer than 4 KiB"}
		}
		if err != nil {
			if err == io.EOF && n == 0 && len(line) == 0 {
				return nil, io.EOF
			}
			return nil, &frameError{"the stream ended inside a message header"}
		}
		if n >= maxHeaders {
			return nil, &frameError{"more than 32 header lines"}
		}
		s := strings.TrimRight(string(line), "\r\n")
		if s == "" {
			break
		}
		name, value, ok := strings.Cut(s, ":")
		if !ok {
			return nil, &frameError{fmt.Sprintf("malformed header line %q", s)}
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			v, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || v < 0 {
				return nil, &frameError{fmt.Sprintf("bad Content-Length %q", strings.TrimSpace(value))}
			}
			length = v
		}
	}
	if length < 0 {
		return nil, &frameError{"message without a Content-Length header"}
	}
	if length > c.max {
		if _, err := io.CopyN(io.Discard, c.r, length); err != nil {
			return nil, &frameError{"the stream ended inside a message"}
		}
		return nil, errTooLarge
	}
	// Read as it arrives: a header that promises 256 MiB and then ends
	// costs no 256 MiB buffer.
	var body bytes.Buffer
	body.Grow(int(min(length, 1<<20)))
	if _, err := io.CopyN(&body, c.r, length); err != nil {
		return nil, &frameError{"the stream ended inside a message"}
	}
	return body.Bytes(), nil
}

// write sends one message; it is safe for concurrent use.
func (c *conn) write(v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.Grow(len(body) + 32)
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err = c.w.Write(b.Bytes())
	return err
}

// response is a reply to a request: Result, or Error.
type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result"`
}

type errorResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Error   *rpcError       `json:"error"`
}

type notification struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
}

type request struct {
	JSONRPC string `json:"jsonrpc"`
	ID      int    `json:"id"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
}

func (c *conn) reply(id json.RawMessage, result any, err *rpcError) error {
	if id == nil {
		id = json.RawMessage("null")
	}
	if err != nil {
		return c.write(errorResponse{"2.0", id, err})
	}
	return c.write(response{"2.0", id, result})
}

func (c *conn) notify(method string, params any) error {
	return c.write(notification{"2.0", method, params})
}
