// This file implements the benchmark engine: every image × codec × setting,
// in parallel over images, with per-(codec, setting) aggregation.

package bench

import (
	"errors"
	"fmt"
	"image"
	_ "image/gif" // input formats accepted in the image directory
	_ "image/jpeg"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/aezip/aezip/internal/metrics"
)

// Row is one measurement: for one image, or the mean over all images of one
// (codec, setting) when Image is empty.
type Row struct {
	Codec   string  `json:"codec"`
	Setting string  `json:"setting"`
	Image   string  `json:"image,omitempty"`
	Images  int     `json:"images,omitempty"` // number of images averaged (aggregate rows)
	Bytes   int     `json:"bytes,omitempty"`  // whole-file size (per-image rows)
	Pixels  int     `json:"pixels,omitempty"` // width·height (per-image rows)
	BPP     float64 `json:"bpp"`
	PSNR    float64 `json:"psnr"`   // dB, capped at metrics.MaxPSNR
	MSSSIM  float64 `json:"msssim"` // in [0, 1]
	EncMS   float64 `json:"enc_ms"`
	DecMS   float64 `json:"dec_ms"`
}

// Job is a codec with the settings to sweep.
type Job struct {
	Codec    Codec
	Settings []string
}

// Results is what [Run] measured.
type Results struct {
	Aggregate []Row    // per (codec, setting), in job and setting order
	PerImage  []Row    // per image × codec × setting
	Errors    []string // failed measurements (excluded from the aggregates)
}

// imageExts are the file types Run loads from the image directory.
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".ppm": true}

// ListImages returns the sorted image files in dir, at most limit of them
// when limit > 0.
func ListImages(dir string, limit int) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() && imageExts[strings.ToLower(filepath.Ext(e.Name()))] {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bench: no images (png, jpg, gif, ppm) in %s", dir)
	}
	return out, nil
}

func loadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(path), ".ppm") {
		return readPPM(f)
	}
	m, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", path, err)
	}
	return m, nil
}

// measure encodes, decodes and scores one image at one setting.
func measure(c Codec, src *Source, setting string) (Row, error) {
	row := Row{Codec: c.Name(), Setting: setting, Image: src.Name}
	data, encT, err := c.Encode(src, setting)
	if err != nil {
		return row, err
	}
	dec, decT, err := c.Decode(data)
	if err != nil {
		return row, err
	}
	psnr, err := metrics.PSNR(src.Image, dec)
	if err != nil {
		return row, err
	}
	ms, err := metrics.MSSSIM(src.Image, dec)
	if err != nil {
		return row, err
	}
	row.Bytes = len(data)
	row.Pixels = src.Pixels()
	row.BPP = float64(8*len(data)) / float64(src.Pixels())
	row.PSNR = math.Min(psnr, metrics.MaxPSNR)
	row.MSSSIM = ms
	row.EncMS = float64(encT.Microseconds()) / 1000
	row.DecMS = float64(decT.Microseconds()) / 1000
	return row, nil
}

// Run measures every image × job × setting with up to workers images in
// flight, calling step (if not nil) after each measurement. tmp is where
// the lossless copies of the images for external codecs are written.
func Run(images []string, jobs []Job, workers int, tmp string, step func()) (*Results, error) {
	if workers < 1 {
		workers = 1
	}
	type result struct {
		rows []Row
		errs []string
		err  error
	}
	perImage := make([]result, len(images))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				perImage[i] = func() (r result) {
					m, err := loadImage(images[i])
					if err != nil {
						r.err = err
						return r
					}
					src := &Source{Name: filepath.Base(images[i]), Image: m}
					dir, err := os.MkdirTemp(tmp, "src-")
					if err != nil {
						r.err = err
						return r
					}
					defer os.RemoveAll(dir)
					if err := src.Prepare(dir); err != nil {
						r.err = err
						return r
					}
					for _, j := range jobs {
						for _, s := range j.Settings {
							row, err := measure(j.Codec, src, s)
							if err != nil {
								r.errs = append(r.errs, fmt.Sprintf("%s %s %s: %v", j.Codec.Name(), s, src.Name, err))
							} else {
								r.rows = append(r.rows, row)
							}
							if step != nil {
								step()
							}
						}
					}
					return r
				}()
			}
		}()
	}
	for i := range images {
		next <- i
	}
	close(next)
	wg.Wait()

	res := &Results{}
	var errs []error
	for _, r := range perImage {
		if r.err != nil {
			errs = append(errs, r.err)
		}
		res.PerImage = append(res.PerImage, r.rows...)
		res.Errors = append(res.Errors, r.errs...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	res.Aggregate = aggregate(res.PerImage, jobs)
	return res, nil
}

// aggregate averages the per-image rows of each (codec, setting).
func aggregate(rows []Row, jobs []Job) []Row {
	type key struct{ codec, setting string }
	sums := map[key]*Row{}
	for _, r := range rows {
		k := key{r.Codec, r.Setting}
		s := sums[k]
		if s == nil {
			s = &Row{Codec: r.Codec, Setting: r.Setting}
			sums[k] = s
		}
		s.Images++
		s.BPP += r.BPP
		s.PSNR += r.PSNR
		s.MSSSIM += r.MSSSIM
		s.EncMS += r.EncMS
		s.DecMS += r.DecMS
	}
	var out []Row
	for _, j := range jobs {
		for _, set := range j.Settings {
			s := sums[key{j.Codec.Name(), set}]
			if s == nil {
				continue
			}
			n := float64(s.Images)
			s.BPP /= n
			s.PSNR /= n
			s.MSSSIM /= n
			s.EncMS /= n
			s.DecMS /= n
			out = append(out, *s)
		}
	}
	return out
}
