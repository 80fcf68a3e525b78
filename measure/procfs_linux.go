package measure

import (
	"bytes"
	"encoding/binary"
	"errors"
	"syscall"
)

// This file parses the few /proc files the Linux tree reader needs, straight
// from the bytes a pread returned, without allocating. gopsutil parses the
// same files into strings and structs (about 24 us for Times plus MemoryInfo
// of one process, against under 2 us for one pread here), which would spend
// the sampler's whole budget on a dozen processes.

// statFields are the fields of /proc/<pid>/stat the sampler uses. Times are
// in clock ticks (USER_HZ), memory in pages.
type statFields struct {
	state  byte
	ppid   int
	utime  uint64
	stime  uint64
	cutime uint64 // user time of waited-for children, their own children included
	cstime uint64
	rss    uint64
}

// statArgStart is field 48 of a stat line, arg_start: where the process's
// command-line arguments sit in its memory. A child forked without exec
// keeps its parent's; exec lays out a new stack, at an address ASLR draws
// afresh. 0 where it cannot be read (the kernel shows it only to a reader
// allowed to trace the process).
func statArgStart(b []byte) uint64 {
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return 0
	}
	f := bytes.Fields(b[end+1:]) // from field 3
	if len(f) < 48-2 {
		return 0
	}
	v, _ := parseUint(f[48-3])
	return v
}

// parseStat reads /proc/<pid>/stat: "pid (comm) state ppid ...". The command
// name may hold spaces and parentheses, so fields are counted from the last
// ')'.
func parseStat(b []byte) (statFields, bool) {
	var st statFields
	end := bytes.LastIndexByte(b, ')')
	if end < 0 || end+2 >= len(b) {
		return st, false
	}
	rest := b[end+2:]
	// Field 3 (state) is rest's first field; fields are numbered as in proc(5).
	field := 3
	for len(rest) > 0 && field <= 24 {
		i := bytes.IndexByte(rest, ' ')
		tok := rest
		if i >= 0 {
			tok = rest[:i]
		}
		switch field {
		case 3:
			if len(tok) != 1 {
				return st, false
			}
			st.state = tok[0]
		case 4, 14, 15, 16, 17, 24:
			v, ok := parseUint(tok)
			if !ok {
				return st, false
			}
			switch field {
			case 4:
				st.ppid = int(v)
			case 14:
				st.utime = v
			case 15:
				st.stime = v
			case 16:
				st.cutime = v
			case 17:
				st.cstime = v
			case 24:
				st.rss = v
			}
		}
		if i < 0 {
			rest = nil
		} else {
			rest = rest[i+1:]
		}
		field++
	}
	return st, field > 24
}

// statmFields are the first three fields of /proc/<pid>/statm, in pages.
type statmFields struct {
	size     uint64 // total program size; 0 only for a process without memory (a zombie)
	resident uint64 // resident set size
	shared   uint64 // resident pages backed by a file or shared memory (RssFile + RssShmem)
}

// parseStatm reads the first three fields of /proc/<pid>/statm. A zombie
// reads all zeros.
func parseStatm(b []byte) (statmFields, bool) {
	var st statmFields
	for i, dst := range []*uint64{&st.size, &st.resident, &st.shared} {
		j := bytes.IndexByte(b, ' ')
		tok := b
		if j >= 0 {
			tok = b[:j]
		} else if i < 2 {
			return statmFields{}, false
		}
		v, ok := parseUint(bytes.TrimRight(tok, "\n"))
		if !ok {
			return statmFields{}, false
		}
		*dst = v
		if j >= 0 {
			b = b[j+1:]
		}
	}
	return st, true
}

// parseLastPID reads the last field of /proc/loadavg ("0.28 0.22 0.09 4/100
// 9819"): the pid most recently allocated in this pid namespace.
func parseLastPID(b []byte) (int, bool) {
	b = bytes.TrimRight(b, "\n ")
	i := bytes.LastIndexByte(b, ' ')
	if i < 0 {
		return 0, false
	}
	v, ok := parseUint(b[i+1:])
	return int(v), ok
}

// parseUint parses a decimal without allocating; it refuses empty input,
// signs and anything that would overflow.
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// direntPIDs calls fn with every numeric name in a getdents64 buffer: the
// processes (thread-group leaders) listed in /proc. The record layout is
// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
func direntPIDs(buf []byte, fn func(pid int)) {
	const nameOff = 19
	for len(buf) >= nameOff {
		reclen := int(binary.NativeEndian.Uint16(buf[16:18]))
		if reclen < nameOff || reclen > len(buf) {
			return
		}
		name := buf[nameOff:reclen]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if v, ok := parseUint(name); ok && v > 0 {
			fn(int(v))
		}
		buf = buf[reclen:]
	}
}

// preadAll re-reads a small /proc file from offset 0 into buf. A /proc file
// is generated whole on each read, so one pread of a large enough buffer
// sees a consistent snapshot.
func preadAll(fd int, buf []byte) ([]byte, error) {
	for {
		n, err := syscall.Pread(fd, buf, 0)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}

// gone reports whether a read or open error means the process no longer
// exists: ESRCH from an fd opened while it lived, ENOENT from a fresh open.
func gone(err error) bool {
	return errors.Is(err, syscall.ESRCH) || errors.Is(err, syscall.ENOENT)
}
