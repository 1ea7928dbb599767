// Command loadtest measures what serving images as aezip saves and costs.
//
// It serves the PNG images of a folder from an in-process HTTP server on the
// loopback interface in three ways — the original PNG, a JPEG at a typical
// quality, and aezip at the PSNR of that JPEG (per image, through
// [transport.Handler]) — loads each with concurrent clients, and prints
// requests/s, p50/p99 latency, bytes on the wire and peak memory, with a
// cold cache (first pass) and a warm one (later passes).
//
// Usage:
//
//	go run ./transport/loadtest [-dir ../shared/data/kodak] [-n 24] [-c 4] [-passes 3] [-jpegq 75]
//
// Every request goes to 127.0.0.1; the run is bounded by -n, -passes and
// -timeout.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/jpeg"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aezip/aezip/codec"
	"github.com/aezip/aezip/internal/metrics"
	"github.com/aezip/aezip/transport"
)

func main() {
	dir := flag.String("dir", "../shared/data/kodak", "folder of PNG images")
	n := flag.Int("n", 24, "number of images (0 = all)")
	conc := flag.Int("c", 4, "concurrent clients")
	passes := flag.Int("passes", 3, "passes over the images; the first is the cold-cache pass")
	jpegQ := flag.Int("jpegq", 75, "JPEG quality of the comparison (Go image/jpeg)")
	timeout := flag.Duration("timeout", 20*time.Minute, "give up after this long")
	flag.Parse()
	if err := run(*dir, *n, *conc, *passes, *jpegQ, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type source struct {
	name       string
	png, jpeg  []byte
	jpegPSNR   float64
	pixels     int
	aezHandler http.Handler
}

func run(dir string, n, conc, passes, jpegQ int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	srcs, err := load(dir, n, jpegQ)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	for _, s := range srcs {
		s := s
		pngH := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Write(s.png)
		})
		mux.Handle("/png/"+s.name, pngH)
		mux.HandleFunc("/jpeg/"+s.name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(s.jpeg)
		})
		// Equal quality per image: each image gets its own handler that
		// targets the PSNR its JPEG reached.
		h, err := transport.NewHandler(pngH, transport.WithTargetPSNR(s.jpegPSNR))
		if err != nil {
			return err
		}
		mux.Handle("/aez/"+s.name, h)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	var totalPixels int
	for _, s := range srcs {
		totalPixels += s.pixels
	}
	fmt.Printf("loadtest: %d images (%.1f Mpixel), %d clients, %d passes, GOMAXPROCS=%d, %s\n",
		len(srcs), float64(totalPixels)/1e6, conc, passes, runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Printf("%-6s %-5s %8s %9s %9s %12s %8s %10s\n", "serve", "cache", "req/s", "p50_ms", "p99_ms", "wire_bytes", "bpp", "peak_MiB")
	var pngBytes int64
	for _, kind := range []string{"png", "jpeg", "aez"} {
		for pass := 0; pass < passes; pass++ {
			res, err := load1(ctx, base, kind, srcs, conc)
			if err != nil {
				return err
			}
			cache := "warm"
			if pass == 0 {
				cache = "cold"
			}
			if kind == "png" && pass == 0 {
				pngBytes = res.bytes
			}
			if pass > 1 && kind != "aez" {
				continue // png and jpeg have no cache: one warm line is enough
			}
			fmt.Printf("%-6s %-5s %8.1f %9.2f %9.2f %12d %8.3f %10.1f\n", kind, cache, res.rps, ms(res.p50), ms(res.p99),
				res.bytes, float64(res.bytes*8)/float64(totalPixels), float64(peakRSS())/(1<<20))
		}
	}
	var jb int64
	var jp float64
	for _, s := range srcs {
		jb += int64(len(s.jpeg))
		jp += s.jpegPSNR
	}
	ab, ap, err := aezBytes(ctx, base, srcs)
	if err != nil {
		return err
	}
	fmt.Printf("\nquality: JPEG q=%d mean PSNR %.2f dB, aezip (targeting each JPEG's PSNR) %.2f dB; bytes per pass: PNG %d, JPEG %d, aezip %d\n", jpegQ, jp/float64(len(srcs)), ap, pngBytes, jb, ab)
	if ap < jp/float64(len(srcs))-0.1 {
		fmt.Println("aezip did not reach the JPEG PSNR (the model's range ends below it): the sizes below are not at equal quality")
	}
	fmt.Printf("bandwidth saving of aezip: %.1f%% vs JPEG, %.1f%% vs PNG\n", 100*(1-float64(ab)/float64(jb)), 100*(1-float64(ab)/float64(pngBytes)))
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func load(dir string, n, jpegQ int) ([]*source, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	if n > 0 && n < len(paths) {
		paths = paths[:n]
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no PNG images in %s", dir)
	}
	var srcs []*source
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		m, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		var jb bytes.Buffer
		if err := jpeg.Encode(&jb, m, &jpeg.Options{Quality: jpegQ}); err != nil {
			return nil, err
		}
		jm, err := jpeg.Decode(bytes.NewReader(jb.Bytes()))
		if err != nil {
			return nil, err
		}
		psnr, err := metrics.PSNR(m, jm)
		if err != nil {
			return nil, err
		}
		b := m.Bounds()
		srcs = append(srcs, &source{name: filepath.Base(p), png: data, jpeg: jb.Bytes(), jpegPSNR: psnr, pixels: b.Dx() * b.Dy()})
	}
	return srcs, nil
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	bytes    int64
}

// load1 requests every image once with conc concurrent clients.
func load1(ctx context.Context, base, kind string, srcs []*source, conc int) (result, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	defer client.CloseIdleConnections()
	var next atomic.Int64
	var total atomic.Int64
	lat := make([]time.Duration, len(srcs))
	errs := make(chan error, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < conc; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(srcs) {
					return
				}
				t0 := time.Now()
				nb, err := fetch(ctx, client, base+"/"+kind+"/"+srcs[i].name)
				if err != nil {
					errs <- err
					return
				}
				lat[i] = time.Since(t0)
				total.Add(nb)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errs:
		return result{}, err
	default:
	}
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	return result{
		rps:   float64(len(srcs)) / elapsed.Seconds(),
		p50:   lat[len(lat)/2],
		p99:   lat[min(len(lat)-1, len(lat)*99/100)],
		bytes: total.Load(),
	}, nil
}

func fetch(ctx context.Context, client *http.Client, url string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", transport.MediaType+", image/*;q=0.8")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	nb, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nb, nil
}

// aezBytes fetches every aezip response once more, checks that it decodes
// and returns the total size and the mean PSNR it reached.
func aezBytes(ctx context.Context, base string, srcs []*source) (total int64, psnr float64, err error) {
	for _, s := range srcs {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/aez/"+s.name, nil)
		req.Header.Set("Accept", transport.MediaType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, 0, err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return 0, 0, err
		}
		if ct := resp.Header.Get("Content-Type"); ct != transport.MediaType {
			return 0, 0, fmt.Errorf("%s served as %q, not aezip", s.name, ct)
		}
		m, err := codec.Decode(bytes.NewReader(data))
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", s.name, err)
		}
		orig, err := png.Decode(bytes.NewReader(s.png))
		if err != nil {
			return 0, 0, err
		}
		p, err := metrics.PSNR(orig, m)
		if err != nil {
			return 0, 0, err
		}
		psnr += p / float64(len(srcs))
		total += int64(len(data))
	}
	return total, psnr, nil
}

// peakRSS returns the process's peak resident set size (VmHWM), or the Go
// runtime's view of memory obtained from the OS where /proc is missing.
func peakRSS() uint64 {
	if data, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				var kb uint64
				fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kb)
				return kb << 10
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Sys
}
