// This file implements the `aezip bench` command line.

package bench

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aezip/aezip/model"
)

const usage = `usage: aezip bench [flags] DIR

Encodes every image in DIR with aezip and the peer codecs at every setting,
and reports whole-file bpp, PSNR, MS-SSIM and encode/decode times, the mean
over images per (codec, setting), and BD-rates against a reference codec.

flags:
`

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Command runs `aezip bench` with args (without the "bench" word), writing
// the report to stdout and diagnostics and the progress bar to stderr.
func Command(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("aezip bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	qList := fs.String("q", "", "comma-separated aezip quality settings (default: the built-in sweep)")
	vs := fs.String("vs", DefaultPeers, "comma-separated peer codecs to compare against")
	self := fs.Bool("self", true, "include aezip itself")
	ref := fs.String("ref", "", "reference codec for BD-rates (default: libjpeg if run, else the first codec)")
	csvPath := fs.String("csv", "", "write the aggregate rows as CSV to `FILE`")
	jsonPath := fs.String("json", "", "write aggregate and per-image rows as JSON to `FILE`")
	plotPath := fs.String("plot", "", "write the rate-distortion curves as PNG to `FILE`")
	mdPath := fs.String("md", "", "write the Markdown summary table (for the README) to `FILE`")
	sweeps := map[string][]string{}
	fs.Func("sweep", "override a codec's sweep: `NAME=LIST`, e.g. jxl=8,4,2,1 (repeatable)", func(v string) error {
		name, list, ok := strings.Cut(v, "=")
		if !ok || name == "" || len(splitList(list)) == 0 {
			return fmt.Errorf("want NAME=LIST, got %q", v)
		}
		sweeps[name] = splitList(list)
		return nil
	})
	modelPath := fs.String("model", "", "aezip model `FILE` (default: the embedded model)")
	threads := fs.Int("threads", 0, "goroutines per aezip encode/decode (0: GOMAXPROCS)")
	precision := fs.String("precision", "bf16", "aezip analysis arithmetic: bf16 (where the processor has it) or float32; a comma-separated list adds aezip-PRECISION entries for the others (-ref aezip-float32 gives the BD-rate between them)")
	workers := fs.Int("j", 1, "images measured in parallel (timings are cleanest with 1)")
	limit := fs.Int("n", 0, "use only the first N images (0: all)")
	from := fs.String("from", "", "measure nothing: redo the tables and outputs from the -json `FILE` of an earlier run (then give no DIR)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	out := outputs{csv: *csvPath, json: *jsonPath, md: *mdPath, plot: *plotPath}
	if *from != "" {
		if fs.NArg() != 0 {
			return errors.New("bench: -from takes no image directory")
		}
		return replay(*from, *ref, stdout, out)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("bench: want exactly one image directory")
	}
	dir := fs.Arg(0)
	if *workers < 1 || *limit < 0 || *threads < 0 {
		return errors.New("bench: -j must be ≥ 1, -n and -threads ≥ 0")
	}
	images, err := ListImages(dir, *limit)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "aezip-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	var jobs []Job
	var missing []Missing
	if *self {
		for i, p := range splitList(*precision) {
			prec, err := model.ParsePrecision(p)
			if err != nil {
				return err
			}
			name := selfName
			if i > 0 {
				name += "-" + p
			}
			c, err := newAezip(*modelPath, *threads, prec, name)
			if err != nil {
				missing = append(missing, Missing{name, err.Error()})
				continue
			}
			settings := c.Settings()
			if l, ok := sweeps[selfName]; ok {
				settings = l
			}
			if *qList != "" {
				settings = splitList(*qList)
			}
			jobs = append(jobs, Job{c, settings})
		}
	}
	peers, miss, err := Discover(splitList(*vs), tmp)
	if err != nil {
		return err
	}
	missing = append(missing, miss...)
	for _, c := range peers {
		settings := c.Settings()
		if l, ok := sweeps[c.Name()]; ok {
			settings = l
		}
		jobs = append(jobs, Job{c, settings})
	}
	if len(jobs) == 0 {
		return errors.New("bench: no codec available")
	}
	var names []string
	versions := map[string]string{}
	for name := range sweeps {
		found := false
		for _, j := range jobs {
			found = found || j.Codec.Name() == name
		}
		if !found {
			return fmt.Errorf("bench: -sweep names %q, which is not run", name)
		}
	}
	total := 0
	for _, j := range jobs {
		names = append(names, j.Codec.Name())
		versions[j.Codec.Name()] = j.Codec.Version()
		total += len(images) * len(j.Settings)
	}
	refName := *ref
	if refName == "" {
		refName = names[0]
		if _, ok := versions["libjpeg"]; ok {
			refName = "libjpeg"
		}
	}
	if _, ok := versions[refName]; !ok {
		return fmt.Errorf("bench: reference codec %q is not among the codecs run (%s)", refName, strings.Join(names, ","))
	}

	mach := ThisMachine()
	fmt.Fprintf(stdout, "aezip bench: %d images from %s, %s\n", len(images), dir, mach.Date)
	fmt.Fprintf(stdout, "machine: %s, %d CPUs, GOMAXPROCS=%d, %s, %s, -j %d\n",
		mach.CPU, mach.NumCPU, mach.GOMAXPROCS, mach.OS, mach.Go, *workers)
	for _, n := range names {
		fmt.Fprintf(stdout, "codec %-8s %s\n", n, versions[n])
	}
	for _, m := range missing {
		fmt.Fprintf(stdout, "missing %-6s %s\n", m.Name, m.Reason)
	}

	var step func()
	if f, ok := stderr.(*os.File); ok && isTerminal(f) {
		step = newProgress(stderr, total).step
	}
	res, err := Run(images, jobs, *workers, tmp, step)
	if err != nil {
		return err
	}
	for i, e := range res.Errors {
		if i == 10 {
			fmt.Fprintf(stderr, "bench: … and %d more failures\n", len(res.Errors)-10)
			break
		}
		fmt.Fprintf(stderr, "bench: failed: %s\n", e)
	}

	rep := &Report{Machine: mach, Codecs: versions, Missing: missing, Ref: refName,
		Rows: res.Aggregate, PerImage: res.PerImage, Errors: res.Errors,
		ImageDir: dir, NumImages: len(images)}
	if err := rep.emit(stdout, names, out); err != nil {
		return err
	}
	if len(res.Errors) > 0 {
		return fmt.Errorf("bench: %d measurements failed", len(res.Errors))
	}
	return nil
}

// outputs are the files a run writes, empty for none.
type outputs struct{ csv, json, md, plot string }

// emit computes the BD-rates of r against r.Ref, prints the tables to
// stdout and writes the requested files. names orders the codecs.
func (r *Report) emit(stdout io.Writer, names []string, out outputs) error {
	r.BDRate = BDRates(r.Rows, names, r.Ref)
	fmt.Fprintln(stdout)
	if err := PrintTable(stdout, r.Rows); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	if err := PrintBDTable(stdout, r.Rows, names, r.Ref, r.BDRate); err != nil {
		return err
	}
	if out.csv != "" {
		if err := writeTo(out.csv, func(w io.Writer) error { return WriteCSV(w, r.Rows) }); err != nil {
			return err
		}
	}
	if out.md != "" {
		if err := writeTo(out.md, func(w io.Writer) error { return WriteMarkdown(w, r, names) }); err != nil {
			return err
		}
	}
	if out.json != "" {
		if err := writeTo(out.json, func(w io.Writer) error { return WriteJSON(w, r) }); err != nil {
			return err
		}
	}
	if out.plot != "" {
		date := r.Machine.Date
		if len(date) > 10 {
			date = date[:10]
		}
		title := fmt.Sprintf("%s (%d images), %s, %s", filepath.Base(filepath.Clean(r.ImageDir)), r.NumImages, r.Machine.CPU, date)
		if err := WritePlot(out.plot, title, r.Rows, names); err != nil {
			return err
		}
	}
	return nil
}

// replay reads the JSON report of an earlier run and emits its tables and
// outputs again, so that a plot or table can be redrawn without measuring.
// ref, when set, replaces the run's reference codec.
func replay(path, ref string, stdout io.Writer, out outputs) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r Report
	dec := json.NewDecoder(io.LimitReader(f, 256<<20))
	if err := dec.Decode(&r); err != nil {
		return fmt.Errorf("bench: reading %s: %w", path, err)
	}
	var names []string
	seen := map[string]bool{}
	for _, row := range r.Rows {
		if !seen[row.Codec] {
			seen[row.Codec] = true
			names = append(names, row.Codec)
		}
	}
	if ref != "" {
		r.Ref = ref
	}
	if !seen[r.Ref] {
		return fmt.Errorf("bench: reference codec %q has no rows in %s", r.Ref, path)
	}
	fmt.Fprintf(stdout, "aezip bench: replay of %s (%d images from %s, %s)\n", path, r.NumImages, r.ImageDir, r.Machine.Date)
	return r.emit(stdout, names, out)
}

func writeTo(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
