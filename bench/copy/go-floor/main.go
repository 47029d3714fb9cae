// The transfer floor in one process (SPEC §3): every blob read once from the source and written once
// to the target over raw HTTP, no digest work, no HEADs, no retries, `parallel` blobs at a time,
// largest first, then every manifest (children first). Per blob: POST for an upload Location, then
// one monolithic PUT Location&digest= whose body is the GET's body, streamed. Standard library only;
// built by the benchmark harness into its scratch directory (never under tools/), and run as
//
//	go-floor PLAN.json
//
// where PLAN.json is the TransferPlan of bench/copy/transfer-plan.ts.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"sync"
)

type plan struct {
	Source   string `json:"source"`
	Target   string `json:"target"`
	Parallel int    `json:"parallel"`
	Copies   []struct {
		SourceRepo string `json:"sourceRepo"`
		TargetRepo string `json:"targetRepo"`
		Tag        string `json:"tag"`
		Blobs      []struct {
			Digest string `json:"digest"`
			Size   int64  `json:"size"`
		} `json:"blobs"`
		Manifests []struct {
			Digest    string `json:"digest"`
			MediaType string `json:"mediaType"`
			Base64    string `json:"base64"`
		} `json:"manifests"`
	} `json:"copies"`
}

type job struct {
	sourceRepo, targetRepo, digest string
	size                           int64
}

// Buffers of 1 MiB on both sides of every connection: fewer, larger syscalls than the 4 KiB defaults.
var client = &http.Client{Transport: &http.Transport{
	MaxIdleConnsPerHost: 64,
	ReadBufferSize:      1 << 20,
	WriteBufferSize:     1 << 20,
	DisableCompression:  true,
}}

// check closes a response that is not the expected status and says why.
func check(res *http.Response, err error, status int, what string) (*http.Response, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if res.StatusCode != status {
		res.Body.Close()
		return nil, fmt.Errorf("%s: status %d", what, res.StatusCode)
	}
	return res, nil
}

// drain reads a response body to its end so the connection is reused, then closes it.
func drain(res *http.Response) {
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
}

func copyBlob(p *plan, j job) error {
	res, err := client.Post(fmt.Sprintf("%s/v2/%s/blobs/uploads/", p.Target, j.targetRepo), "", nil)
	post, err := check(res, err, http.StatusAccepted, "POST upload "+j.digest)
	if err != nil {
		return err
	}
	drain(post)
	base, _ := url.Parse(p.Target)
	location, err := base.Parse(post.Header.Get("Location"))
	if err != nil {
		return fmt.Errorf("upload Location for %s: %w", j.digest, err)
	}
	query := location.Query()
	query.Set("digest", j.digest)
	location.RawQuery = query.Encode()

	res, err = client.Get(fmt.Sprintf("%s/v2/%s/blobs/%s", p.Source, j.sourceRepo, j.digest))
	get, err := check(res, err, http.StatusOK, "GET blob "+j.digest)
	if err != nil {
		return err
	}
	defer get.Body.Close()
	req, err := http.NewRequest(http.MethodPut, location.String(), get.Body)
	if err != nil {
		return err
	}
	req.ContentLength = j.size
	req.Header.Set("Content-Type", "application/octet-stream")
	res, err = client.Do(req)
	put, err := check(res, err, http.StatusCreated, "PUT blob "+j.digest)
	if err != nil {
		return err
	}
	drain(put)
	return nil
}

func putManifest(p *plan, repo, reference, mediaType string, body []byte) error {
	req, err := http.NewRequest(http.MethodPut, fmt.Sprintf("%s/v2/%s/manifests/%s", p.Target, repo, reference), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mediaType)
	res, err := client.Do(req)
	put, err := check(res, err, http.StatusCreated, "PUT manifest "+repo+":"+reference)
	if err != nil {
		return err
	}
	drain(put)
	return nil
}

// run moves every blob, p.Parallel at a time, then puts each copy's manifests in order (the copies
// in parallel); it returns the first error.
func run(p *plan) error {
	var jobs []job
	for _, c := range p.Copies {
		for _, b := range c.Blobs {
			jobs = append(jobs, job{c.SourceRepo, c.TargetRepo, b.Digest, b.Size})
		}
	}
	sort.SliceStable(jobs, func(a, b int) bool { return jobs[a].size > jobs[b].size })

	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	fail := func(err error) { once.Do(func() { first = err }) }
	queue := make(chan job)
	for range min(p.Parallel, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				if err := copyBlob(p, j); err != nil {
					fail(err)
				}
			}
		}()
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
	if first != nil {
		return first
	}

	for _, c := range p.Copies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, m := range c.Manifests {
				reference := m.Digest
				if i == len(c.Manifests)-1 {
					reference = c.Tag
				}
				body, err := base64.StdEncoding.DecodeString(m.Base64)
				if err == nil {
					err = putManifest(p, c.TargetRepo, reference, m.MediaType, body)
				}
				if err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go-floor PLAN.json")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	var p plan
	if err == nil {
		err = json.Unmarshal(raw, &p)
	}
	if err == nil {
		err = run(&p)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-floor:", err)
		os.Exit(1)
	}
}
