// Command ferretdb-dev runs an embedded FerretDB 1.x (MongoDB wire protocol)
// with the PostgreSQL or the SQLite backend, for local development and tests only.
//
// It exists because `go install github.com/FerretDB/FerretDB/cmd/ferretdb`
// panics without the generated build/version files; the embeddable
// package github.com/FerretDB/FerretDB/ferretdb does not need them.
//
// Flags fall back to environment variables:
//
//	-listen-addr     FERRETDB_LISTEN_ADDR     (default 127.0.0.1:27017)
//	-handler         FERRETDB_HANDLER         (postgresql|sqlite, default sqlite)
//	-postgresql-url  FERRETDB_POSTGRESQL_URL  (required with -handler postgresql)
//	-sqlite-dir      FERRETDB_SQLITE_DIR      (default ./data; -handler sqlite only)
//	-log-level       FERRETDB_LOG_LEVEL       (debug|info|warn|error, default info)
//	-log-file        FERRETDB_LOG_FILE        (default: stderr)
//
// Telemetry is always disabled by the embeddable package. The process runs
// until it receives SIGTERM or SIGINT, then closes listeners and the backend.
//
// With -ping ADDR it does not serve but acts as a readiness probe: it retries a
// wire-protocol {ping: 1} (OP_MSG) against ADDR until it gets {ok: 1}, the
// -wait timeout passes, or the process -wait-pid (if given) has exited.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/build/version"
	"github.com/FerretDB/FerretDB/ferretdb"
)

const ferretModule = "github.com/FerretDB/FerretDB"

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// ferretVersion returns the version of the FerretDB module compiled in.
func ferretVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == ferretModule {
				// tools/infra.sh builds against a patched local copy (a directory
				// replacement, which has no version of its own).
				if d.Replace != nil && d.Replace.Version != "" && d.Replace.Version != "(devel)" {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return "unknown"
}

func main() {
	listen := flag.String("listen-addr", envOr("FERRETDB_LISTEN_ADDR", "127.0.0.1:27017"), "TCP listen address")
	handler := flag.String("handler", envOr("FERRETDB_HANDLER", "sqlite"), "backend: postgresql or sqlite")
	pgURL := flag.String("postgresql-url", envOr("FERRETDB_POSTGRESQL_URL", ""), "PostgreSQL URL for -handler postgresql, e.g. postgres://postgres@127.0.0.1:5433/ferretdb")
	dir := flag.String("sqlite-dir", envOr("FERRETDB_SQLITE_DIR", "data"), "SQLite data directory for -handler sqlite (created if missing)")
	level := flag.String("log-level", envOr("FERRETDB_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	logFile := flag.String("log-file", envOr("FERRETDB_LOG_FILE", ""), "append logs to this file instead of stderr")
	showVersion := flag.Bool("version", false, "print the FerretDB version and exit")
	pingAddr := flag.String("ping", "", "probe mode: send a wire-protocol ping to this host:port and exit")
	wait := flag.Duration("wait", 0, "probe mode: keep retrying for this long")
	waitPID := flag.Int("wait-pid", 0, "probe mode: give up early if this process is gone")
	flag.Parse()

	if *pingAddr != "" {
		if err := probe(*pingAddr, *wait, *waitPID); err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb-dev: %v\n", err)
			os.Exit(1)
		}
		fmt.Println("ok")
		return
	}

	fv := ferretVersion()
	// The version package is normally filled from generated files; set it
	// from the module version so that buildInfo reports something useful.
	version.Get().Version = strings.TrimPrefix(fv, "v")

	if *showVersion {
		fmt.Println(fv)
		return
	}

	if err := run(*listen, *handler, *pgURL, *dir, *level, *logFile, fv); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-dev: %v\n", err)
		os.Exit(1)
	}
}

func run(listen, handler, pgURL, dir, level, logFile, fv string) error {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("bad log level %q: %w", level, err)
	}

	var out io.Writer = os.Stderr
	if logFile != "" {
		f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: lvl}))
	slog.SetDefault(logger)

	conf := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: listen},
		Logger:   logger,
		Handler:  handler,
	}
	var backend string // for the log line, without credentials
	switch handler {
	case "postgresql":
		if pgURL == "" {
			return errors.New("-handler postgresql needs -postgresql-url")
		}
		u, err := url.Parse(pgURL)
		if err != nil {
			return fmt.Errorf("bad -postgresql-url: %w", err)
		}
		conf.PostgreSQLURL = pgURL
		backend = u.Redacted()
	case "sqlite":
		abs, err := filepath.Abs(dir)
		if err != nil {
			return err
		}
		if err = os.MkdirAll(abs, 0o755); err != nil {
			return err
		}
		// SQLite URI must be a directory with a trailing slash.
		conf.SQLiteURL = (&url.URL{Scheme: "file", Opaque: filepath.ToSlash(abs) + "/"}).String()
		backend = conf.SQLiteURL
	default:
		return fmt.Errorf("unknown -handler %q (want postgresql or sqlite)", handler)
	}

	f, err := ferretdb.New(conf)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// MongoDBURI blocks until the listener is bound.
	logger.Info("ferretdb-dev started", "ferretdb", fv, "uri", f.MongoDBURI(), "handler", handler, "backend", backend, "pid", os.Getpid())

	err = <-done
	logger.Info("ferretdb-dev stopped")
	return err
}

// --- readiness probe (-ping) ---

const opMsg = 2013

// probe retries ping until it succeeds, the deadline passes or pid exits.
func probe(addr string, wait time.Duration, pid int) error {
	deadline := time.Now().Add(wait)
	for {
		err := ping(addr, 3*time.Second)
		if err == nil {
			return nil
		}
		if pid > 0 && syscall.Kill(pid, 0) != nil {
			return fmt.Errorf("process %d exited; last error: %w", pid, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no wire-protocol answer from %s: %w", addr, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// ping sends OP_MSG {ping: 1, $db: "admin"} and checks for {ok: 1}.
func ping(addr string, timeout time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err = conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}

	var doc bytes.Buffer
	doc.Write([]byte{0, 0, 0, 0})
	doc.WriteByte(0x10) // int32
	doc.WriteString("ping\x00")
	_ = binary.Write(&doc, binary.LittleEndian, int32(1))
	doc.WriteByte(0x02) // string
	doc.WriteString("$db\x00")
	_ = binary.Write(&doc, binary.LittleEndian, int32(len("admin")+1))
	doc.WriteString("admin\x00")
	doc.WriteByte(0)
	d := doc.Bytes()
	binary.LittleEndian.PutUint32(d, uint32(len(d)))

	var msg bytes.Buffer
	for _, v := range []int32{int32(16 + 4 + 1 + len(d)), 1, 0, opMsg, 0} { // header + flagBits
		_ = binary.Write(&msg, binary.LittleEndian, v)
	}
	msg.WriteByte(0) // section kind 0: body
	msg.Write(d)
	if _, err = conn.Write(msg.Bytes()); err != nil {
		return err
	}

	var hdr [16]byte
	if _, err = io.ReadFull(conn, hdr[:]); err != nil {
		return err
	}
	n := int(binary.LittleEndian.Uint32(hdr[0:]))
	if op := binary.LittleEndian.Uint32(hdr[12:]); op != opMsg {
		return fmt.Errorf("unexpected reply opCode %d", op)
	}
	if n < 16+4+1+5 || n > 16<<20 {
		return fmt.Errorf("bad reply length %d", n)
	}
	body := make([]byte, n-16)
	if _, err = io.ReadFull(conn, body); err != nil {
		return err
	}
	if body[4] != 0 {
		return fmt.Errorf("unexpected section kind %d", body[4])
	}
	ok, err := okField(body[5:])
	if err != nil {
		return err
	}
	if ok != 1 {
		return fmt.Errorf("ping reply has ok=%v", ok)
	}
	return nil
}

// okField returns the numeric "ok" field of a top-level BSON document.
func okField(b []byte) (float64, error) {
	if len(b) < 5 {
		return 0, errors.New("short BSON document")
	}
	end := int(binary.LittleEndian.Uint32(b))
	if end > len(b) {
		return 0, errors.New("truncated BSON document")
	}
	for i := 4; i < end-1; {
		t := b[i]
		i++
		j := bytes.IndexByte(b[i:end], 0)
		if j < 0 {
			return 0, errors.New("bad BSON key")
		}
		key := string(b[i : i+j])
		i += j + 1
		var size int
		switch t {
		case 0x01: // double
			if key == "ok" {
				return math.Float64frombits(binary.LittleEndian.Uint64(b[i:])), nil
			}
			size = 8
		case 0x10: // int32
			if key == "ok" {
				return float64(int32(binary.LittleEndian.Uint32(b[i:]))), nil
			}
			size = 4
		case 0x12, 0x09, 0x11: // int64, datetime, timestamp
			if key == "ok" && t == 0x12 {
				return float64(int64(binary.LittleEndian.Uint64(b[i:]))), nil
			}
			size = 8
		case 0x08: // bool
			if key == "ok" {
				if b[i] == 1 {
					return 1, nil
				}
				return 0, nil
			}
			size = 1
		case 0x02: // string
			size = 4 + int(binary.LittleEndian.Uint32(b[i:]))
		case 0x03, 0x04: // document, array
			size = int(binary.LittleEndian.Uint32(b[i:]))
		case 0x05: // binary
			size = 4 + 1 + int(binary.LittleEndian.Uint32(b[i:]))
		case 0x07: // ObjectId
			size = 12
		case 0x0A: // null
			size = 0
		default:
			return 0, fmt.Errorf("unsupported BSON type 0x%x in reply", t)
		}
		i += size
	}
	return 0, errors.New(`reply has no "ok" field`)
}
