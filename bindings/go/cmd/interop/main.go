// Command interop is the Go side of scripts/test-interop.sh.
//
//	interop <register|write|read> <dir> <lang> [other langs...]
//
// register saves this client's e3db.json as <dir>/<lang>.e3db.json; write writes a record and
// shares its type with the clients whose e3db.json files the other languages saved; read reads
// every other language's record, then loads another language's e3db.json and reads as it.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	toz "github.com/toz-dev/toz/bindings/go"
)

const recordType = "interop"

func must[T any](v T, err error) T {
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop (go):", err)
		os.Exit(1)
	}
	return v
}

func check(err error) {
	must(struct{}{}, err)
}

func client(path string) *toz.Client {
	creds := must(toz.LoadCredentialsFile(path))
	defer creds.Close()
	return must(toz.NewClient(creds, nil))
}

func main() {
	step, dir, lang, others := os.Args[1], os.Args[2], os.Args[3], os.Args[4:]
	file := func(l, ext string) string { return filepath.Join(dir, l+ext) }
	switch step {
	case "register":
		creds := must(toz.Register(os.Getenv("TOZ_TEST_API_URL"), os.Getenv("TOZ_TEST_REGISTRATION_TOKEN"), "interop-"+lang, false, nil))
		defer creds.Close()
		check(creds.SaveFile(file(lang, ".e3db.json"), false))
	case "write":
		c := client(file(lang, ".e3db.json"))
		defer c.Close()
		rec := must(c.WriteRecord(recordType, map[string]string{"from": lang, "secret": lang + "-secret"}, map[string]string{"lang": lang}))
		for _, other := range others {
			theirs := must(toz.LoadCredentialsFile(file(other, ".e3db.json")))
			info := must(theirs.PublicInfo())
			theirs.Close()
			check(c.Share(recordType, info.ClientID))
		}
		check(os.WriteFile(file(lang, ".record"), []byte(rec.Meta.RecordID), 0o600))
	case "read":
		c := client(file(lang, ".e3db.json"))
		defer c.Close()
		for _, other := range others {
			id := strings.TrimSpace(string(must(os.ReadFile(file(other, ".record")))))
			rec := must(c.ReadRecord(id))
			if rec.Data["from"] != other || rec.Data["secret"] != other+"-secret" {
				fmt.Fprintf(os.Stderr, "interop (go): %s's record decrypted to %v\n", other, rec.Data)
				os.Exit(1)
			}
			fmt.Printf("go read %s's record: %s\n", other, rec.Data["from"])
		}
		other := others[0]
		asOther := client(file(other, ".e3db.json"))
		defer asOther.Close()
		id := strings.TrimSpace(string(must(os.ReadFile(file(other, ".record")))))
		if must(asOther.ReadRecord(id)).Data["from"] != other {
			fmt.Fprintln(os.Stderr, "interop (go): wrong record as", other)
			os.Exit(1)
		}
		fmt.Printf("go loaded %s's e3db.json and read its record as %s\n", other, other)
	default:
		fmt.Fprintln(os.Stderr, "unknown step", step)
		os.Exit(2)
	}
}
