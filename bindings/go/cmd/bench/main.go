// Command bench measures the Go binding's overhead (docs/bindings.md, Benchmarks) and prints
//
//	BENCH go version_ns=<ns per toz_version call> roundtrip_us=<µs per encrypt+decrypt>
//
// The round trip is EncryptRecord + DecryptRecord of {"f0": "x"*100, ..., "f9": "x"*100} with
// one access key, from map[string]string to map[string]string. Link it against a release libtoz
// for meaningful figures (CGO_LDFLAGS=-L<target>/release, LD_LIBRARY_PATH likewise).
package main

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	toz "github.com/toz-dev/toz/bindings/go"
)

func main() {
	versionCalls := flag.Int("version-calls", 2_000_000, "toz_version calls to time")
	roundTrips := flag.Int("round-trips", 5_000, "encrypt+decrypt round trips to time")
	flag.Parse()
	if err := toz.CheckABI(); err != nil {
		fail(err)
	}

	var sink string
	start := time.Now()
	for i := 0; i < *versionCalls; i++ {
		sink = toz.Version()
	}
	versionNs := float64(time.Since(start).Nanoseconds()) / float64(*versionCalls)
	if sink == "" {
		fail(fmt.Errorf("empty version"))
	}

	key, err := toz.GenerateAccessKey()
	if err != nil {
		fail(err)
	}
	defer key.Close()
	data := make(map[string]string, 10)
	for i := 0; i < 10; i++ {
		data[fmt.Sprintf("f%d", i)] = strings.Repeat("x", 100)
	}
	roundTrip := func() map[string]string {
		enc, err := toz.EncryptRecord(key, data)
		if err != nil {
			fail(err)
		}
		dec, err := toz.DecryptRecord(key, enc)
		if err != nil {
			fail(err)
		}
		return dec
	}
	if !reflect.DeepEqual(roundTrip(), data) {
		fail(fmt.Errorf("round trip changed the record"))
	}
	for i := 0; i < *roundTrips/10; i++ { // warm up
		roundTrip()
	}
	start = time.Now()
	for i := 0; i < *roundTrips; i++ {
		roundTrip()
	}
	roundTripUs := float64(time.Since(start).Nanoseconds()) / float64(*roundTrips) / 1e3

	fmt.Printf("BENCH go version_ns=%.1f roundtrip_us=%.2f\n", versionNs, roundTripUs)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
