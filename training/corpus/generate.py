#!/usr/bin/env python3
"""Resumable speech-corpus generator (Python 3 stdlib + espeak-ng, flite, festival, sox).

    python3 training/corpus/generate.py --hours 16 --jobs 1 [--seed 1234]

Writes 16 kHz mono 16-bit WAVs under training/work/audio/<split>/ and manifests
training/work/manifests/<split>.tsv (path, transcript, duration_sec, voice, split;
path relative to the repo root; header line first).  Each finished utterance also has a
sidecar <wav>.json; the manifests are rebuilt from the sidecars at every start, so a
kill at any moment loses at most the utterances in flight.  The WAV is written under a
temporary name and renamed, then the sidecar is written the same way: an utterance is
done iff its sidecar exists.

Order: eval sets and dev first (small), then train in rounds; every round cycles
through all training voices (and a few real asterisk prompts) so any prefix is diverse.

Held-out rules enforced here (see training/corpus/README.md):
  * flite awb and festival cmu_us_slt_arctic_hts only ever read eval sentences into the
    eval-* splits (HELD_OUT_VOICES is asserted against every train/dev job);
  * asterisk prompts with index % 5 == 0 (sorted relative paths) only go to
    eval-asterisk-test; train prompts whose transcript equals a test transcript are dropped;
  * train text never contains eval/dev sentences (text.py).
"""
import argparse
import array
import concurrent.futures as cf
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import wave

sys.dont_write_bytecode = True   # no __pycache__ inside the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import text as textmod  # noqa: E402
import accented  # noqa: E402

REPO = textmod.REPO
WORK = os.path.join(REPO, "training", "work")
AUDIO = os.path.join(WORK, "audio")
MANIFESTS = os.path.join(WORK, "manifests")
LOGS = os.path.join(WORK, "logs")
TMP_ROOT = os.path.join(WORK, "tmp")
# Each run works in its own folder (named by its pid), so two runs (e.g. the eval sets and a train
# recipe) may generate at once and one's start-up cleanup leaves the other's files alone.
TMP = os.path.join(TMP_ROOT, str(os.getpid()))
SR = 16000

SPLITS = ["eval-asterisk-test", "eval-awb-clean", "eval-awb-noisy10", "eval-slt-clean",
          "eval-slt-noisy10", "dev", "train", "train-channels", "train-accented", "train-gnuspeech"]
TRAIN_SPLIT = {"default": "train", "channels": "train-channels", "accented": "train-accented",
               "gnuspeech": "train-gnuspeech"}
HEADER = "path\ttranscript\tduration_sec\tvoice\tsplit"

ESPEAK_ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029",
                  "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc"]
# plain variants plus the named human-ish ones (robots, whisper, croak etc. left out)
ESPEAK_VARIANTS = (["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5",
                    "klatt", "klatt2", "klatt3", "klatt4", "klatt5", "klatt6"] +
                   ["Alex", "Alicia", "Andrea", "Andy", "Annie", "adam", "anika", "aunty",
                    "belinda", "benjamin", "boris", "caleb", "david", "ed", "edward", "grandma",
                    "grandpa", "iven", "john", "linda", "max", "Michael", "Mike", "norbert",
                    "paul", "quincy", "rob", "robert", "steph", "travis", "victor", "zac",
                    "Denis", "Lee", "Storm", "shelby", "Jacky", "Gene", "Hugo", "michel"])
FLITE_VOICES = ["kal", "kal16", "rms", "slt"]
FESTIVAL_VOICES = ["kal_diphone", "ked_diphone"]   # festvox-kallpc16k, festvox-kdlpc16k
HELD_OUT_VOICES = {"flite:awb", "festival:cmu_us_slt_arctic_hts"}

# voice slots of one training round (each accent twice with random variants)
TTS_SLOTS = ([("espeak", a) for a in ESPEAK_ACCENTS] * 2 +
             [("flite", v) for v in FLITE_VOICES] * 2 +
             [("festival", v) for v in FESTIVAL_VOICES] * 2)
ASTERISK_PER_ROUND = 5


# =========================================================================== audio helpers
def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({r.returncode}): {r.stderr.decode(errors='replace')[-400:]}")
    return r


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, path
        a = array.array("h")
        a.frombytes(w.readframes(w.getnframes()))
        if sys.byteorder == "big":
            a.byteswap()
        return a, w.getframerate()


def write_wav(path, samples, sr=SR):
    tmp = path + ".part"
    data = array.array("h", samples)
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(data.tobytes())
    os.replace(tmp, path)


def power(a):
    return sum(x * x for x in a) / max(1, len(a))


def mix_noise(sig, noise_type, snr_db, rng, tmpdir):
    """sig + sox-synth noise scaled so that P(sig)/P(noise) == snr_db (whole utterance).
    Returns (int16 array, info).  If the sum would clip, both are scaled together."""
    n = len(sig)
    dur = n / SR
    off = round(rng.uniform(0, 30), 3)   # sox -R is repeatable; a random offset varies it
    npath = os.path.join(tmpdir, "noise.wav")
    run(["sox", "-R", "-n", "-r", str(SR), "-b", "16", "-c", "1", npath,
         "synth", f"{dur + off + 0.1:.4f}", noise_type, "vol", "0.5", "trim", f"{off}"])
    noise, _ = read_wav(npath)
    if len(noise) < n:
        noise.extend([0] * (n - len(noise)))
    noise = noise[:n]
    ps, pn = power(sig), power(noise)
    if ps <= 0 or pn <= 0:
        return sig, {"noise": noise_type, "snr": None}
    k = math.sqrt(ps / (pn * 10 ** (snr_db / 10)))
    mixed = [s + k * v for s, v in zip(sig, noise)]
    peak = max(abs(x) for x in mixed)
    scale = 1.0 if peak <= 32000 else 32000 / peak
    out = array.array("h", (int(round(x * scale)) for x in mixed))
    return out, {"noise": noise_type, "snr": snr_db, "noise_offset": off, "scale": round(scale, 4)}


# =========================================================================== synthesis
def synth(job, path, tmpdir):
    v = job["synth"]
    kind = v["kind"]
    text = job["text"]
    if kind == "espeak":
        run(["espeak-ng", "-v", f"{v['accent']}+{v['variant']}", "-s", str(v["rate"]),
             "-p", str(v["pitch"]), "-w", path, text])
    elif kind == "flite":
        run(["flite", "-voice", v["voice"], "--setf", f"duration_stretch={v['stretch']}",
             "-t", text, "-o", path])
    elif kind == "festival":
        tf = os.path.join(tmpdir, "text.txt")
        with open(tf, "w") as f:
            f.write(text + "\n")
        run(["text2wave", "-eval", f"(voice_{v['voice']})",
             "-eval", f"(Parameter.set 'Duration_Stretch {v['stretch']})", tf, "-o", path])
    elif kind == "festival-accented":   # a non-English voice reading the respelt English sentence
        accented.synthesize(v["voice"], v["respelt"], path, tmpdir, v["stretch"])
    elif kind == "gnuspeech":           # an articulatory vocal tract drawn per utterance (gnuspeech.mjs)
        run(["node", os.path.join(os.path.dirname(os.path.abspath(__file__)), "gnuspeech.mjs"), "--out", path,
             "--voice", json.dumps(v["voice"])], input=text.encode())
    elif kind == "asterisk":
        shutil.copyfile(os.path.join(textmod.asterisk_sounds_dir(), v["file"]), path)
    elif kind == "asterisk-g722":   # the same prompt recorded at 16 kHz (G.722 wideband)
        g722 = os.path.join(textmod.asterisk_sounds_dir(), v["file"][:-4] + ".g722")
        run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "g722", "-i", g722, path])
    else:
        raise ValueError(kind)


def process(job):
    """Worker: synthesise + augment one job; returns list of sidecar dicts."""
    tmpdir = tempfile.mkdtemp(prefix=job["id"].replace("/", "_") + ".", dir=TMP)
    try:
        raw = os.path.join(tmpdir, "raw.wav")
        synth(job, raw, tmpdir)
        aug = job["aug"]
        rng = random.Random(job["seed"] + "/noise")
        # chain 1: speed / pitch at source rate, resample, reverb, level
        eff = []
        if aug.get("speed", 1.0) != 1.0:
            eff += ["speed", str(aug["speed"])]
        if aug.get("pitch"):
            eff += ["pitch", str(aug["pitch"])]
        eff += ["rate", "-v", str(SR)]
        if aug.get("reverb"):
            r = aug["reverb"]
            eff += ["pad", "0", "0.3", "reverb", str(r[0]), str(r[1]), str(r[2]), "0", str(r[3])]
        eff += ["channels", "1"]
        if aug.get("level") is not None:          # channels recipe: peak level −35…−1 dBFS
            eff += ["norm", str(aug["level"])]
        elif not job["synth"]["kind"].startswith("asterisk") or aug:
            eff += ["norm", "-3"]
        stage1 = os.path.join(tmpdir, "s1.wav")
        run(["sox", "-R", "-D", raw, "-r", str(SR), "-b", "16", "-c", "1", stage1] + eff)
        sig, sr = read_wav(stage1)
        assert sr == SR
        outputs = []
        # eval jobs with a noisy twin: clean first, then the same audio + noise
        for out in job["outputs"]:
            a, info = sig, {}
            noise = out.get("noise") or aug.get("noise")
            if noise:
                a, info = mix_noise(sig, noise[0], noise[1], rng, tmpdir)
            post = []
            if aug.get("telephone") and not out.get("noise"):
                post += ["sinc", "300-3400", "rate", "-v", "8000", "rate", "-v", str(SR)]
            if aug.get("gain") and not out.get("noise"):
                post += ["gain", str(aug["gain"])]
            if aug.get("band"):                     # a microphone's or line's band limits
                post += ["sinc", f"{aug['band'][0]}-{aug['band'][1]}"]
            final = os.path.join(REPO, out["path"])
            os.makedirs(os.path.dirname(final), exist_ok=True)
            if post:
                mid = os.path.join(tmpdir, "mid.wav")
                write_wav(mid, a)
                run(["sox", "-R", "-D", mid, "-b", "16", final + ".part.wav"] + post)
                os.replace(final + ".part.wav", final)
            else:
                write_wav(final, a)
            if aug.get("codec"):                    # a lossy round trip, as a shared recording has had
                codec, kbps = aug["codec"]
                coded = os.path.join(tmpdir, "coded." + ("mp3" if codec == "mp3" else "ogg"))
                enc = ["-c:a", "libmp3lame"] if codec == "mp3" else ["-c:a", "libopus"]
                run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", final] + enc +
                    ["-b:a", f"{kbps}k", coded])
                run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", coded, "-ar", str(SR), "-ac", "1",
                     "-sample_fmt", "s16", final + ".part.wav"])
                os.replace(final + ".part.wav", final)
            with wave.open(final, "rb") as w:
                dur = w.getnframes() / w.getframerate()
            side = {"id": job["id"], "path": out["path"], "transcript": job["text"],
                    "duration_sec": round(dur, 3), "voice": job["voice"], "split": out["split"],
                    "synth": job["synth"], "aug": dict(aug, **info), "seed": job["seed"]}
            sc = final + ".json"
            with open(sc + ".part", "w") as f:
                json.dump(side, f)
            os.replace(sc + ".part", sc)
            outputs.append(side)
        return outputs
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


# =========================================================================== job planning
def rand_synth(kind, name, rng):
    if kind == "espeak":
        variant = rng.choice(ESPEAK_VARIANTS)
        return {"kind": "espeak", "accent": name, "variant": variant,
                "rate": rng.randint(130, 200), "pitch": rng.randint(30, 70)}, f"espeak:{name}+{variant}"
    if kind == "flite":
        return {"kind": "flite", "voice": name, "stretch": round(rng.uniform(0.85, 1.2), 2)}, f"flite:{name}"
    if kind == "festival":
        return {"kind": "festival", "voice": name, "stretch": round(rng.uniform(0.85, 1.2), 2)}, f"festival:{name}"
    raise ValueError(kind)


def random_reverb(rng):
    """sox reverb: reverberance, hf-damping, room-scale, pre-delay (small rooms to halls)."""
    return [rng.randint(10, 90), rng.randint(10, 90), rng.randint(20, 100), rng.randint(0, 30)]


def random_noise(rng):
    """Additive sox noise and its SNR in dB."""
    return [rng.choice(["whitenoise", "pinknoise", "pinknoise", "brownnoise"]), round(rng.uniform(5, 30), 1)]


def train_aug(rng, telephone_ok=True):
    """~25% clean; otherwise a random subset of the augmentations (at least one)."""
    if rng.random() < 0.25:
        return {}
    a = {}
    if rng.random() < 0.5:
        a["speed"] = rng.choice([0.9, 1.1])
    if rng.random() < 0.3:
        a["pitch"] = rng.randint(-300, 300)
    if rng.random() < 0.3:
        a["reverb"] = random_reverb(rng)
    if rng.random() < 0.5:
        a["noise"] = random_noise(rng)
    if telephone_ok and rng.random() < 0.2:
        a["telephone"] = True
    if rng.random() < 0.5:
        a["gain"] = round(rng.uniform(-20, 0), 1)
    if not a:
        a["noise"] = [rng.choice(["whitenoise", "pinknoise", "brownnoise"]), round(rng.uniform(5, 30), 1)]
    return a


def channel_aug(rng, telephone_ok=True):
    """The channels recipe: what users' recordings go through. Room reverberation on most utterances,
    a peak level anywhere from −35 to −1 dBFS, band limits, lossy MP3/Opus round trips, noise."""
    a = {"level": round(rng.uniform(-35, -1), 1)}
    if rng.random() < 0.4:
        a["speed"] = rng.choice([0.9, 1.1])
    if rng.random() < 0.3:
        a["pitch"] = rng.randint(-300, 300)
    if rng.random() < 0.7:
        a["reverb"] = random_reverb(rng)
    if rng.random() < 0.5:
        a["noise"] = random_noise(rng)
    if telephone_ok and rng.random() < 0.1:
        a["telephone"] = True
    elif rng.random() < 0.3:
        a["band"] = [rng.choice([50, 100, 150, 200, 300]), rng.choice([3400, 4000, 5000, 6000, 7000])]
    if rng.random() < 0.25:
        a["codec"] = rng.choice([["mp3", 24], ["mp3", 32], ["mp3", 48], ["opus", 12], ["opus", 16], ["opus", 24]])
    return a


def dev_aug(rng):
    """Light: half clean, else one mild augmentation."""
    if rng.random() < 0.5:
        return {}
    c = rng.choice(["noise", "speed", "telephone", "gain", "reverb"])
    if c == "noise":
        return {"noise": [rng.choice(["whitenoise", "pinknoise"]), round(rng.uniform(15, 30), 1)]}
    if c == "speed":
        return {"speed": rng.choice([0.9, 1.1])}
    if c == "telephone":
        return {"telephone": True}
    if c == "gain":
        return {"gain": round(rng.uniform(-12, 0), 1)}
    return {"reverb": [rng.randint(10, 40), 50, rng.randint(20, 60), 0]}


def job(jid, split, rel, text, synth_spec, voice, aug, seed, outputs=None):
    assert split.startswith("eval-") or voice not in HELD_OUT_VOICES, (jid, voice)
    return {"id": jid, "text": text, "synth": synth_spec, "voice": voice, "aug": aug,
            "seed": f"{seed}/{jid}",
            "outputs": outputs or [{"path": rel, "split": split}]}


def audio_rel(split, name):
    return os.path.relpath(os.path.join(AUDIO, split, name), REPO)


def fixed_jobs(seed, prompts):
    jobs = []
    for rel, text, sp in prompts:
        if sp == "test" and text:
            name = rel[:-4].replace("/", "__")
            jobs.append(job(f"eval-asterisk-test/{name}", "eval-asterisk-test",
                            audio_rel("eval-asterisk-test", name + ".wav"), text,
                            {"kind": "asterisk", "file": rel}, "asterisk:allison", {}, seed))
    eval_s = textmod.read_list("eval")
    for tag, kind, voice in (("awb", "flite", "awb"), ("slt", "festival", "cmu_us_slt_arctic_hts")):
        for i, s in enumerate(eval_s):
            rng = random.Random(f"{seed}/eval/{tag}/{i}")
            noise = [rng.choice(["whitenoise", "pinknoise"]), 10.0]
            spec = {"kind": kind, "voice": voice, "stretch": 1.0}
            outs = [{"path": audio_rel(f"eval-{tag}-clean", f"{tag}_{i:04d}.wav"), "split": f"eval-{tag}-clean"},
                    {"path": audio_rel(f"eval-{tag}-noisy10", f"{tag}_{i:04d}.wav"), "split": f"eval-{tag}-noisy10",
                     "noise": noise}]
            jobs.append(job(f"eval-{tag}/{i:04d}", f"eval-{tag}", None, s, spec, f"{kind}:{voice}", {},
                            seed, outs))
    dev_s = textmod.read_list("dev")
    slots = list(TTS_SLOTS)
    random.Random(f"{seed}/devslots").shuffle(slots)
    for i, s in enumerate(dev_s):
        rng = random.Random(f"{seed}/dev/{i}")
        kind, name = slots[i % len(slots)]
        spec, voice = rand_synth(kind, name, rng)
        jobs.append(job(f"dev/{i:04d}", "dev", audio_rel("dev", f"dev_{i:04d}_{voice.replace(':', '-').replace('+', '-')}.wav"),
                        s, spec, voice, dev_aug(rng), seed))
    return jobs


def train_jobs(seed, prompts, train_s, recipe="default"):
    """recipe "channels": channel_aug for every utterance, and a third of each round real asterisk
    prompts, half of them from the 16 kHz G.722 copies (the same train split), into split train-channels."""
    test_texts = {t for _, t, sp in prompts if sp == "test" and t}
    ast = [(rel, t) for rel, t, sp in prompts if sp == "train" and t and t not in test_texts]
    n_tts = len(TTS_SLOTS)
    channels = recipe == "channels"
    split = "train-channels" if channels else "train"
    n_ast = n_tts // 2 if channels else ASTERISK_PER_ROUND
    r = 0
    while True:
        rrng = random.Random(f"{seed}/round/{r}")
        slots = [("tts", k) for k in range(n_tts)] + [("ast", k) for k in range(n_ast)]
        rrng.shuffle(slots)
        for typ, k in slots:
            if typ == "tts":
                kind, name = TTS_SLOTS[k]
                jid = f"train/r{r:04d}/t{k:02d}"
                rng = random.Random(f"{seed}/{jid}")
                spec, voice = rand_synth(kind, name, rng)
                text = train_s[(r * n_tts + k) % len(train_s)]
                aug = channel_aug(rng) if channels else train_aug(rng)
                fname = f"r{r:04d}_t{k:02d}_{voice.replace(':', '-').replace('+', '-')}.wav"
            else:
                g = r * n_ast + k
                p, idx = divmod(g, len(ast))
                order = list(range(len(ast)))
                random.Random(f"{seed}/astpass/{p}").shuffle(order)
                rel, text = ast[order[idx]]
                jid = f"train/r{r:04d}/a{k:02d}"
                rng = random.Random(f"{seed}/{jid}")
                spec, voice = {"kind": "asterisk", "file": rel}, "asterisk:allison"
                aug = {} if p == 0 else train_aug(rng, telephone_ok=False)  # first pass clean
                if channels:
                    if rng.random() < 0.5 and os.path.exists(os.path.join(
                            textmod.asterisk_sounds_dir(), rel[:-4] + ".g722")):
                        spec = {"kind": "asterisk-g722", "file": rel}
                    aug = channel_aug(rng, telephone_ok=False)
                fname = f"r{r:04d}_a{k:02d}_asterisk-{rel[:-4].replace('/', '__')}.wav"
            if spec["kind"] == "asterisk-g722":
                fname = fname.replace("_asterisk-", "_asterisk16k-")
            yield job(jid, split, audio_rel(split, f"r{r:04d}/{fname}"), text, spec, voice, aug, seed)
        r += 1


def accented_jobs(seed, train_s):
    """recipe "accented": rounds of one utterance per voice of accented.ACCENTED_VOICES (festival's
    non-English voices reading English respelt into their orthography; see accented.py),
    slot order shuffled per round, into split train-accented.  Sentences are taken in a seeded shuffled
    order of train.txt (skipping those with a word outside festival's CMU lexicon), so they are not the
    default recipe's first sentences.  The label is the English sentence; half channel_aug, half train_aug."""
    order = list(range(len(train_s)))
    random.Random(f"{seed}/accented/text").shuffle(order)
    sentences = (train_s[i] for i in order)
    voices = accented.ACCENTED_VOICES
    r = 0
    while True:
        slots = list(range(len(voices)))
        random.Random(f"{seed}/accented/round/{r}").shuffle(slots)
        for k in slots:
            voice = voices[k]
            language = accented.VOICE_LANGUAGE[voice]
            text = respelt = None
            while respelt is None:
                text = next(sentences, None)
                if text is None:                            # every usable sentence read once: start over
                    sentences = (train_s[i] for i in order)
                    continue
                respelt = accented.respell(text, language)
            jid = f"train-accented/r{r:04d}/v{k:02d}"
            rng = random.Random(f"{seed}/{jid}")
            spec = {"kind": "festival-accented", "voice": voice, "language": language, "respelt": respelt,
                    "stretch": round(rng.uniform(0.9, 1.15), 2)}
            aug = channel_aug(rng) if rng.random() < 0.5 else train_aug(rng)
            yield job(jid, "train-accented", audio_rel("train-accented", f"r{r:04d}/r{r:04d}_v{k:02d}_{voice}.wav"),
                      text, spec, f"festival:{voice}", aug, seed)
        r += 1


def gnuspeech_glottal_pitch(length_cm):
    """GnuSpeech's reference glottal pitch (semitones) for a vocal tract length: +2 at 13 cm down to -14 at
    19 cm, as from a child-like voice to a deep one (its own voices: female 0 at 15 cm, male -12 at 17.5)."""
    return 2 - (length_cm - 13) * 16 / 6


def gnuspeech_voice(rng):
    """A GnuSpeech vocal tract and glottal source: length 14-19 cm (its own adult voices are 15 and 17.5;
    shorter ones were the least intelligible, gnuspeech_check.py), glottal pitch falling with the length
    (+-3 semitones), breathiness, pulse shape, tempo and intonation drawn around its defaults."""
    length = rng.uniform(14, 19)
    tn_min = rng.uniform(20, 32)
    return {"vocalTractLength": round(length, 2),
            "referenceGlottalPitch": round(gnuspeech_glottal_pitch(length) + rng.uniform(-3, 3), 1),
            "breathiness": round(rng.uniform(0.5, 2.5), 2), "glottalPulseTp": round(rng.uniform(35, 45), 1),
            "glottalPulseTnMin": round(tn_min, 1), "glottalPulseTnMax": round(tn_min + rng.uniform(0, 8), 1),
            "tempo": round(rng.uniform(0.85, 1.2), 3), "driftDeviation": round(rng.uniform(0.3, 1.0), 2),
            "tonicRange": round(rng.uniform(-10, -5), 1), "notionalPitch": round(rng.uniform(0, 4), 1)}


def gnuspeech_jobs(seed, train_s):
    """recipe "gnuspeech": GnuSpeech's articulatory synthesis (training/corpus/gnuspeech.mjs), a new vocal
    tract for every utterance (gnuspeech_voice), into split train-gnuspeech.  Sentences in a seeded shuffled
    order of train.txt; half channel_aug, half train_aug, as the accented recipe."""
    order = list(range(len(train_s)))
    random.Random(f"{seed}/gnuspeech/text").shuffle(order)
    for n, i in enumerate(order):
        r, k = divmod(n, 100)
        jid = f"train-gnuspeech/r{r:04d}/g{k:02d}"
        rng = random.Random(f"{seed}/{jid}")
        spec = {"kind": "gnuspeech", "voice": gnuspeech_voice(rng)}
        aug = channel_aug(rng) if rng.random() < 0.5 else train_aug(rng)
        yield job(jid, "train-gnuspeech", audio_rel("train-gnuspeech", f"r{r:04d}/r{r:04d}_g{k:02d}.wav"),
                  train_s[i], spec, "gnuspeech", aug, seed)


# =========================================================================== dev-noisy10
DEV_NOISY = "dev-noisy10"


def make_dev_noisy10(log):
    """dev-noisy10: every dev utterance (dev.tsv order) + white or pink noise at exactly 10 dB SNR, mixed
    by mix_noise() as the eval-*-noisy10 sets are.  Dev only has training voices and dev sentences, so
    decoder settings may be tuned on it in noise (the held-out noisy sets stay untouched).  Row i draws
    the noise type and offset from random.Random("dev-noisy/<i>"), so a rebuild is bit-identical.
    Same file names as dev under audio/dev-noisy10/, with sidecars; resumable."""
    src = os.path.join(MANIFESTS, "dev.tsv")
    with open(src) as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    rows = [r for r in rows if len(r) == 5]
    os.makedirs(TMP, exist_ok=True)
    tmpdir = tempfile.mkdtemp(prefix="dev-noisy10.", dir=TMP)
    sides, made = [], 0
    try:
        for i, (rel, transcript, _dur, voice, _split) in enumerate(rows):
            out_rel = audio_rel(DEV_NOISY, os.path.basename(rel))
            final = os.path.join(REPO, out_rel)
            sc = final + ".json"
            if os.path.exists(sc) and os.path.exists(final):
                with open(sc) as f:
                    side = json.load(f)
                if side.get("source") == rel:
                    sides.append(side)
                    continue
            sig, sr = read_wav(os.path.join(REPO, rel))
            assert sr == SR, rel
            rng = random.Random(f"dev-noisy/{i}")
            a, info = mix_noise(sig, rng.choice(["whitenoise", "pinknoise"]), 10.0, rng, tmpdir)
            os.makedirs(os.path.dirname(final), exist_ok=True)
            write_wav(final, a)
            side = {"id": f"{DEV_NOISY}/{i:04d}", "path": out_rel, "transcript": transcript,
                    "duration_sec": round(len(a) / SR, 3), "voice": voice, "split": DEV_NOISY,
                    "source": rel, "aug": info, "seed": f"dev-noisy/{i}"}
            with open(sc + ".part", "w") as f:
                json.dump(side, f)
            os.replace(sc + ".part", sc)
            sides.append(side)
            made += 1
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    rebuild_manifests({DEV_NOISY: sides})
    log(f"{DEV_NOISY}: {len(sides)} utterances ({made} new) from {src}")


# =========================================================================== manifests
def scan_sidecars():
    out = {s: [] for s in SPLITS}
    for d, _, files in os.walk(AUDIO):
        for fn in files:
            if fn.endswith(".wav.json"):
                try:
                    with open(os.path.join(d, fn)) as f:
                        side = json.load(f)
                except (OSError, ValueError):
                    continue
                if os.path.exists(os.path.join(REPO, side["path"])):
                    out.setdefault(side["split"], []).append(side)
    return out


def manifest_line(s):
    return "\t".join([s["path"], s["transcript"], f"{s['duration_sec']:.3f}", s["voice"], s["split"]])


def rebuild_manifests(sides):
    os.makedirs(MANIFESTS, exist_ok=True)
    for split, lst in sides.items():
        lst.sort(key=lambda s: s["path"])
        tmp = os.path.join(MANIFESTS, split + ".tsv.tmp")
        with open(tmp, "w") as f:
            f.write(HEADER + "\n")
            for s in lst:
                f.write(manifest_line(s) + "\n")
        os.replace(tmp, os.path.join(MANIFESTS, split + ".tsv"))


class Log:
    def __init__(self):
        os.makedirs(LOGS, exist_ok=True)
        self.f = open(os.path.join(LOGS, "generate.log"), "a")

    def __call__(self, msg):
        line = time.strftime("%Y-%m-%d %H:%M:%S ") + msg
        print(line, flush=True)
        self.f.write(line + "\n")
        self.f.flush()


# =========================================================================== main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=float, default=16.0, help="target hours of train audio")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--no-train", action="store_true", help="only the eval and dev sets")
    ap.add_argument("--recipe", choices=list(TRAIN_SPLIT), default="default",
                    help="train augmentation: default (the shipped model's), or channels (reverberation on "
                         "most utterances, −35…−1 dBFS, band limits, MP3/Opus round trips, a third real "
                         "asterisk prompts, half of them at 16 kHz) into split train-channels, or accented "
                         "(festival's non-English voices reading respelt English, accented.py) into "
                         "train-accented, or gnuspeech (articulatory synthesis, a vocal tract drawn per "
                         "utterance, gnuspeech.mjs) into train-gnuspeech")
    ap.add_argument("--dev-noisy10", action="store_true",
                    help="only build dev-noisy10 (dev + white/pink noise at 10 dB SNR) from dev.tsv")
    args = ap.parse_args()
    log = Log()
    if args.dev_noisy10:
        make_dev_noisy10(log)
        return
    os.makedirs(TMP, exist_ok=True)
    for d in os.listdir(TMP_ROOT):                 # leftovers of killed runs
        if d.isdigit() and d != str(os.getpid()) and not os.path.exists(f"/proc/{d}"):
            shutil.rmtree(os.path.join(TMP_ROOT, d), ignore_errors=True)

    train_s = textmod.read_list("train", log=log)
    prompts = textmod.asterisk_prompts()

    sides = scan_sidecars()
    rebuild_manifests(sides)
    done = {s["path"] for lst in sides.values() for s in lst}
    split = TRAIN_SPLIT[args.recipe]
    train_sec = sum(s["duration_sec"] for s in sides[split])
    target = args.hours * 3600
    log(f"start: seed {args.seed}, jobs {args.jobs}, target {args.hours} h train; already "
        f"{sum(len(v) for v in sides.values())} utterances, train {train_sec / 3600:.3f} h")

    manifests = {s: open(os.path.join(MANIFESTS, s + ".tsv"), "a") for s in SPLITS}
    stats = {"n": 0, "sec": 0.0, "t0": time.time(), "last": time.time(), "fail": 0}

    def finished(fut, jb):
        nonlocal train_sec
        try:
            res = fut.result()
        except Exception as e:  # noqa: BLE001  (one bad utterance must not stop the run)
            stats["fail"] += 1
            log(f"FAILED {jb['id']} ({jb['voice']}): {e}")
            return
        for s in res:
            m = manifests[s["split"]]
            m.write(manifest_line(s) + "\n")
            m.flush()
            stats["n"] += 1
            stats["sec"] += s["duration_sec"]
            if s["split"] == split:
                train_sec += s["duration_sec"]
        now = time.time()
        if now - stats["last"] >= 60:
            stats["last"] = now
            el = now - stats["t0"]
            log(f"progress: train {train_sec / 3600:.3f}/{args.hours} h; this run {stats['n']} utts, "
                f"{stats['sec'] / 3600:.3f} h audio in {el / 60:.1f} min = {stats['n'] / (el / 60):.1f} utt/min, "
                f"{stats['sec'] / el:.2f} h audio per h; failures {stats['fail']}; last {jb['id']}")

    def todo(jb):
        return not all(o["path"] in done for o in jb["outputs"])

    with cf.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        window = max(2, 2 * args.jobs)
        inflight = {}

        def drain(limit):
            while len(inflight) > limit:
                fin, _ = cf.wait(list(inflight), return_when=cf.FIRST_COMPLETED)
                for f in fin:
                    finished(f, inflight.pop(f))

        # The eval and dev sets belong to the default recipe and seed: another recipe or seed only adds
        # training data (and must not write those sets with other noise).
        same_sets = args.recipe == "default" and args.seed == 1234
        fixed = [j for j in fixed_jobs(args.seed, prompts) if todo(j)] if same_sets else []
        log(f"eval/dev jobs to do: {len(fixed)}")
        for jb in fixed:
            inflight[ex.submit(process, jb)] = jb
            drain(window)
        drain(0)
        log("eval and dev sets complete")
        if not args.no_train:
            planned = (accented_jobs(args.seed, train_s) if args.recipe == "accented"
                       else gnuspeech_jobs(args.seed, train_s) if args.recipe == "gnuspeech"
                       else train_jobs(args.seed, prompts, train_s, args.recipe))
            for jb in planned:
                if train_sec + 3.5 * len(inflight) >= target:
                    break
                if not todo(jb):
                    continue
                inflight[ex.submit(process, jb)] = jb
                drain(window)
            drain(0)
    el = time.time() - stats["t0"]
    rebuild_manifests(scan_sidecars())
    log(f"done: train {train_sec / 3600:.3f} h; this run {stats['n']} utts, {stats['sec'] / 3600:.3f} h "
        f"in {el / 60:.1f} min; failures {stats['fail']}")


if __name__ == "__main__":
    main()
