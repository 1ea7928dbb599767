// This file implements the registry of peer codecs and their discovery.

package bench

import (
	"fmt"
	"os/exec"
)

// DefaultPeers is the -vs list used when none is given.
const DefaultPeers = "jpeg,libjpeg,webp,avif420,avif444,jxl,heic"

// avif returns the AVIF peer: libaom at speed 6 with a fixed quantizer
// (--min = --max = Q, 0..63, lower is better) in the given chroma format.
func avif(name, yuv string) tool {
	return tool{
		name: name, enc: "avifenc", dec: "avifdec", verArgs: []string{"--version"},
		settings: []string{"58", "54", "50", "46", "42", "38", "34", "30", "26", "22", "18"},
		ext:      ".avif", decOut: ".png",
		encArgs: func(s, in, out string) []string {
			return []string{"-c", "aom", "-s", "6", "-j", "1", "-y", yuv, "--min", s, "--max", s, in, out}
		},
		decArgs: func(in, out string) []string { return []string{"-j", "1", "--png-compress", "0", in, out} },
	}
}

// tools lists the external peers in their -vs order.
var tools = []tool{
	{
		// libjpeg-turbo with optimised Huffman tables, default 4:2:0.
		name: "libjpeg", enc: "cjpeg", dec: "djpeg", verArgs: []string{"-version"},
		settings: []string{"3", "5", "10", "15", "20", "30", "40", "50", "60", "70", "80"},
		usePPM:   true, ext: ".jpg", decOut: ".ppm",
		encArgs: func(s, in, out string) []string {
			return []string{"-quality", s, "-optimize", "-outfile", out, in}
		},
		decArgs: func(in, out string) []string { return []string{"-ppm", "-outfile", out, in} },
	},
	{
		// libwebp lossy at method 4, single-threaded.
		name: "webp", enc: "cwebp", dec: "dwebp", verArgs: []string{"-version"},
		settings: []string{"0", "5", "10", "20", "30", "40", "50", "60", "70", "80", "85"},
		ext:      ".webp", decOut: ".ppm",
		encArgs: func(s, in, out string) []string {
			return []string{"-quiet", "-q", s, "-m", "4", in, "-o", out}
		},
		decArgs: func(in, out string) []string { return []string{"-quiet", in, "-ppm", "-o", out} },
	},
	avif("avif420", "420"),
	avif("avif444", "444"),
	{
		// libjxl at effort 7, driven by the butteraugli distance (lower is better).
		name: "jxl", enc: "cjxl", dec: "djxl", verArgs: []string{"--version"},
		settings: []string{"25", "18", "12", "9", "7", "5.5", "4.5", "3.5", "2.8", "2.2", "1.6", "1.2"},
		ext:      ".jxl", decOut: ".ppm",
		encArgs: func(s, in, out string) []string {
			return []string{in, out, "-d", s, "-e", "7", "--num_threads=1", "--quiet"}
		},
		decArgs: func(in, out string) []string { return []string{in, out, "--num_threads=1", "--quiet"} },
	},
	{
		// HEVC intra through libheif's x265 encoder, 4:2:0.
		name: "heic", enc: "heif-enc", dec: "heif-convert", verArgs: []string{"--help"},
		settings: []string{"12", "16", "20", "25", "30", "35", "40", "45", "50", "55"},
		ext:      ".heic", decOut: ".png",
		encArgs: func(s, in, out string) []string {
			return []string{"-q", s, "-p", "chroma=420", "-o", out, in}
		},
		decArgs: func(in, out string) []string { return []string{"--quiet", in, out} },
	},
}

// Missing records a requested codec that cannot run here.
type Missing struct {
	Name   string
	Reason string
}

// lookPath is exec.LookPath; a variable so tests can simulate missing tools.
var lookPath = exec.LookPath

// Discover resolves peer names to codecs. Unknown names are an error;
// known peers whose tools are not in PATH are returned in missing.
// tmp is the directory external peers use for their files.
func Discover(names []string, tmp string) (codecs []Codec, missing []Missing, err error) {
	for _, name := range names {
		if name == "jpeg" {
			codecs = append(codecs, goJPEG{})
			continue
		}
		var t *tool
		for i := range tools {
			if tools[i].name == name {
				t = &tools[i]
			}
		}
		if t == nil {
			return nil, nil, fmt.Errorf("bench: unknown codec %q (known: aezip,%s)", name, DefaultPeers)
		}
		encPath, err1 := lookPath(t.enc)
		decPath, err2 := lookPath(t.dec)
		switch {
		case err1 != nil:
			missing = append(missing, Missing{name, t.enc + " not found in PATH"})
		case err2 != nil:
			missing = append(missing, Missing{name, t.dec + " not found in PATH"})
		default:
			codecs = append(codecs, &external{
				t: *t, encPath: encPath, decPath: decPath,
				version: toolVersion(encPath, t.verArgs), tmp: tmp,
			})
		}
	}
	return codecs, missing, nil
}
