// Writes src/test/resources/io/vetch/bolt/bbolt-fixture.db with the real bbolt (Debian's golang-github-coreos-bbolt-dev
// 1.3.6): what etcd's snapshots do not show, a synced freelist with free pages and a nested bucket, beside inline and
// non-inline buckets and an overflow value. With -check it runs bbolt's tx.Check on a file (useful on BoltWriter's).
//
//	mkdir -p /tmp/b/src/boltfix && cp main.go /tmp/b/src/boltfix/ && cd /tmp/b &&
//	GO111MODULE=off GOPATH=/tmp/b:/usr/share/gocode GOCACHE=/tmp/b/cache go build -o boltfix boltfix
//	./boltfix out.db | ./boltfix -check file.db
package main

import (
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-check" {
		db, err := bolt.Open(os.Args[2], 0400, &bolt.Options{ReadOnly: true})
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(1)
		}
		n := 0
		err = db.View(func(tx *bolt.Tx) error {
			for e := range tx.Check() {
				fmt.Println("check:", e)
				n++
			}
			return nil
		})
		if err != nil || n > 0 {
			os.Exit(1)
		}
		fmt.Println("ok")
		return
	}
	os.Remove(os.Args[1])
	db, err := bolt.Open(os.Args[1], 0600, &bolt.Options{PageSize: 4096})
	if err != nil {
		panic(err)
	}
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(db.Update(func(tx *bolt.Tx) error {
		b, _ := tx.CreateBucket([]byte("big"))
		for i := 0; i < 500; i++ {
			must(b.Put([]byte(fmt.Sprintf("key%04d", i)), []byte(fmt.Sprintf("value%d", i))))
		}
		must(b.Put([]byte("overflow"), make([]byte, 10000)))
		s, _ := tx.CreateBucket([]byte("small"))
		must(s.Put([]byte("a"), []byte("1")))
		n, _ := b.CreateBucket([]byte("nested"))
		must(n.Put([]byte("inner"), []byte("x")))
		_, err := tx.CreateBucket([]byte("empty"))
		return err
	}))
	// a second transaction frees pages: the freelist lists them
	must(db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("big"))
		for i := 0; i < 500; i += 2 {
			must(b.Delete([]byte(fmt.Sprintf("key%04d", i))))
		}
		return nil
	}))
	must(db.Close())
}
