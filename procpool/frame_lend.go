package procpool

import "unsafe"

// A worker may send a result it wrote over its task's arguments straight
// from the frame buffer they were read into (vmsplice: the pipe then
// refers to the buffer's pages, not a copy). Such a buffer is lent: the
// frame reader must not read the next task into it until the pool has read
// the result out of the pipe, as the pipe's unread count shows
// (resultWriter.released).

// lentBuffer is a frame buffer whose bytes a pipe still refers to, up to
// the offset end of the result stream.
type lentBuffer struct {
	buf []byte
	end int64
}

// lend marks buf as lent to the result stream up to end.
func (fr *frameReader) lend(end int64, released func(int64) bool) {
	fr.lentTo, fr.released = end, released
}

// inBuffer reports whether b lies in the frame buffer: a task's result
// made over its arguments.
func (fr *frameReader) inBuffer(b []byte) bool {
	if len(b) == 0 || cap(fr.buf) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(fr.buf)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= start && p+uintptr(len(b)) <= start+uintptr(cap(fr.buf))
}

// reclaim makes buf writable before a frame is read into it: while the
// pipe still refers to it, another buffer takes its place, one already
// released if there is one. Buffers stay lent for as long as the pool
// takes to read a pipe's worth of results, so there are few.
func (fr *frameReader) reclaim() {
	if fr.lentTo == 0 || fr.released(fr.lentTo) {
		fr.lentTo = 0
		return
	}
	kept := fr.lent[:0]
	var free []byte
	for _, l := range fr.lent {
		if free == nil && fr.released(l.end) {
			free = l.buf
			continue
		}
		kept = append(kept, l)
	}
	clear(fr.lent[len(kept):])
	fr.lent = append(kept, lentBuffer{fr.buf, fr.lentTo})
	fr.buf, fr.lentTo = free, 0
}
