package workloads

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"
)

// ArticleFuncName is the article's pool example's function, func(i): it
// sleeps for its first argument (8 bytes, little-endian nanoseconds) and
// returns i + 100, i being its second, in decimal. It is a function, not a
// workload: `poolbench run --preset article` runs the example with it
// before measuring. Registered here, with the built-in workloads, so that
// the pool worker alone (poolbench-worker) has it too.
const ArticleFuncName = "article.func"

func init() {
	if err := RegisterFunc(ArticleFuncName, article); err != nil {
		panic(err)
	}
}

func article(args []byte) ([]byte, error) {
	if len(args) != 16 {
		return nil, fmt.Errorf("%s: want 16 bytes of arguments, got %d", ArticleFuncName, len(args))
	}
	time.Sleep(time.Duration(binary.LittleEndian.Uint64(args)))
	return []byte(strconv.FormatUint(binary.LittleEndian.Uint64(args[8:])+100, 10)), nil
}
