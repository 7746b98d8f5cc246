package dev.arbooth.train.internal;

import dev.arbooth.ArboothException;
import dev.arbooth.base.BaseModel;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.image.ImageLoader;
import dev.arbooth.image.ImageOptions;
import dev.arbooth.internal.nn.MultiScaleBsq;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.text.TextFeatures;
import dev.arbooth.text.internal.IdentifierRows;
import dev.arbooth.text.internal.T5Tokenizer;
import dev.arbooth.text.internal.TokenBatch;
import dev.arbooth.train.FitImages;
import dev.arbooth.train.FitInputException;
import dev.arbooth.train.FitOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A fit's data, prepared once before the first step: the images (loaded, oriented, resized and cropped to the base's
 * image size), their multi-scale bits from one pass of the VAE encoder each, and the T5 features of every distinct
 * prompt from one pass of the frozen encoder each, with the identifier's position. Batches are then cut from these
 * arrays by {@link FitSeeds} without touching an encoder again.
 *
 * <p><b>The identifier in the text.</b> The tokenizer splits the identifier into n tokens; the learned embedding has
 * P rows. For training, a subject prompt's n identifier rows are collapsed into one placeholder row (the first),
 * whose index is the batch's {@code identifierRow}; the iteration replaces that row by the P learned rows (ARBooth:
 * one placeholder token becomes P rows). With P = n, which {@link #identifierIds} requires, this is exactly the
 * generator's replacement of the n identifier rows in place ({@code IdentifierRows.replace}), so the adapter samples
 * what was trained.
 */
public final class FitData {
    /**
     * One encoded prompt.
     *
     * @param text the prompt
     * @param text_NCt5 its compact T5 features {@code (len, Ct5)}, identifier rows collapsed into one
     * @param len its row count after the collapse
     * @param identifierRow the placeholder's row, or -1 for a class prompt
     */
    public record Prompt(String text, float[] text_NCt5, int len, int identifierRow) {}

    private final List<String> imageFingerprints;
    private final List<byte[]> gtBits;
    private final List<Prompt> subjectPrompts;
    private final Prompt classPrompt;
    private final int tokens;
    private final int d;
    private final int ct5;

    private FitData(
            List<String> imageFingerprints,
            List<byte[]> gtBits,
            List<Prompt> subjectPrompts,
            Prompt classPrompt,
            int tokens,
            int d,
            int ct5) {
        this.imageFingerprints = List.copyOf(imageFingerprints);
        this.gtBits = List.copyOf(gtBits);
        this.subjectPrompts = List.copyOf(subjectPrompts);
        this.classPrompt = classPrompt;
        this.tokens = tokens;
        this.d = d;
        this.ct5 = ct5;
    }

    /**
     * The checks that need no network: the image count, the class word.
     *
     * @param images the images
     * @param classWord the class word
     * @param options the options
     * @throws FitInputException naming the problem
     */
    public static void checkInputs(FitImages images, String classWord, FitOptions options) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(options, "options");
        if (images.size() < FitImages.MIN_IMAGES) {
            throw new FitInputException("A fit needs at least " + FitImages.MIN_IMAGES
                    + " image of the subject (ARBooth uses 3 to 12); none were given");
        }
        if (images.size() > FitImages.MAX_IMAGES) {
            throw new FitInputException(
                    "A fit takes at most " + FitImages.MAX_IMAGES + " images; " + images.size() + " were given");
        }
        if (classWord == null || classWord.isBlank()) {
            throw new FitInputException("The class word must name the subject's class (e.g. \"dog\"); got "
                    + (classWord == null ? "null" : "'" + classWord + "'"));
        }
        if (classWord.contains(options.identifier())) {
            throw new FitInputException("The class word '" + classWord + "' contains the identifier '"
                    + options.identifier() + "': the class word must be an ordinary word the base knows, the "
                    + "identifier the new token of the subject");
        }
    }

    /**
     * The identifier's token ids, checked against the options.
     *
     * @param tokenizer the base's tokenizer
     * @param options the options
     * @return the ids, {@code options.identifierRows()} of them
     * @throws FitInputException if the tokenizer splits the identifier into nothing, or into another number of
     *     tokens than the identifier rows
     */
    public static long[] identifierIds(T5Tokenizer tokenizer, FitOptions options) {
        long[] ids;
        try {
            ids = tokenizer.encodeWord(options.identifier());
        } catch (ArboothException e) {
            throw new FitInputException("The tokenizer splits the identifier '" + options.identifier()
                    + "' into no token at all, so no prompt can name it; choose another identifier ("
                    + e.getMessage() + ")");
        }
        if (ids.length != options.identifierRows()) {
            throw new FitInputException("The tokenizer splits the identifier '" + options.identifier() + "' into "
                    + ids.length + " tokens " + Arrays.toString(ids) + " but the options ask for "
                    + options.identifierRows() + " identifier rows: the generator replaces each identifier token's "
                    + "row by one learned row, so set identifierRows(" + ids.length + ") or choose an identifier "
                    + "of " + options.identifierRows() + " tokens");
        }
        return ids;
    }

    /**
     * Prepares a fit's data: loads and checks every image, encodes them and the prompts.
     *
     * @param nets the base's networks
     * @param options the options
     * @param classWord the class word (checked by {@link #checkInputs})
     * @param images the images (checked by {@link #checkInputs})
     * @return the data
     * @throws FitInputException if an image tensor has the wrong shape or non-finite values, or a prompt does not
     *     hold the identifier exactly once (subject) or holds it (class)
     * @throws dev.arbooth.InvalidImageException naming an image file that cannot be used
     */
    public static FitData prepare(FitNetworks nets, FitOptions options, String classWord, FitImages images) {
        BaseModel base = nets.base();
        T5Tokenizer tokenizer = nets.tokenizer();
        long[] ids = identifierIds(tokenizer, options);
        // 1. prompts: each distinct prompt tokenized and encoded once, the identifier located
        List<Prompt> subject = new ArrayList<>();
        for (String text : new java.util.LinkedHashSet<>(options.subjectPrompts(classWord))) {
            subject.add(encodePrompt(nets, text, ids, true));
        }
        Prompt cls = encodePrompt(nets, options.classPrompt(classWord), ids, false);
        // 2. images: prepared at the base's size, each checked before any is encoded
        List<Tensor> prepared = loadImages(base, images);
        // 3. bits: one VAE encoder pass per image
        ScaleSchedule schedule = base.schedule();
        int d = base.infinity().bitsPerToken();
        int l = schedule.totalTokens();
        List<String> fingerprints = new ArrayList<>();
        List<byte[]> bits = new ArrayList<>();
        for (Tensor img : prepared) {
            fingerprints.add(fingerprint(img));
            long[] s = img.shape();
            MultiScaleBsq.Encoding e = nets.vae().encode(img.reshape(1, s[0], s[1], s[2]), schedule);
            byte[] gt = new byte[l * d];
            int at = 0;
            for (long[] scale : e.bits()) {
                for (long b : scale) {
                    gt[at++] = (byte) b;
                }
            }
            if (at != gt.length) {
                throw new IllegalStateException("the VAE returned " + at + " bits, expected " + gt.length);
            }
            bits.add(gt);
        }
        return new FitData(
                fingerprints, bits, subject, cls, l, d, base.infinity().textChannels());
    }

    private static Prompt encodePrompt(FitNetworks nets, String text, long[] ids, boolean subject) {
        TokenBatch tokens = nets.tokenizer().encode(List.of(text), T5Tokenizer.Padding.LONGEST);
        int[] at = IdentifierRows.positions(tokens, ids)[0];
        if (subject && at.length != 1) {
            throw new FitInputException("The subject prompt '" + text + "' names the identifier " + at.length
                    + " times (tokens " + Arrays.toString(ids) + "); each training prompt must name it exactly once");
        }
        if (!subject && at.length != 0) {
            throw new FitInputException("The class prompt '" + text + "' contains the identifier's tokens "
                    + Arrays.toString(ids) + "; the class word must not include the identifier");
        }
        TextFeatures f = nets.t5().compactFeatures(tokens);
        float[] rows = f.kvCompact().toFloatArray();
        int len = f.lengths()[0];
        int c = (int) f.kvCompact().dim(1);
        if (!subject) {
            return new Prompt(text, rows, len, -1);
        }
        int start = at[0];
        int n = ids.length;
        int collapsed = len - n + 1;
        float[] out = new float[collapsed * c];
        System.arraycopy(rows, 0, out, 0, (start + 1) * c);
        System.arraycopy(rows, (start + n) * c, out, (start + 1) * c, (len - start - n) * c);
        return new Prompt(text, out, collapsed, start);
    }

    private static List<Tensor> loadImages(BaseModel base, FitImages images) {
        int[] size = base.imageSize();
        List<Tensor> out = new ArrayList<>();
        switch (images.kind()) {
            case FILES -> {
                ImageLoader loader = ImageLoader.create(ImageOptions.of(size[0], size[1]));
                for (java.nio.file.Path p : images.fileList()) {
                    out.add(loader.load(p));
                }
            }
            case IMAGES -> {
                ImageLoader loader = ImageLoader.create(ImageOptions.of(size[0], size[1]));
                for (java.awt.image.BufferedImage img : images.imageList()) {
                    out.add(loader.fromImage(img));
                }
            }
            case TENSORS -> {
                List<Tensor> ts = images.tensorList();
                for (int i = 0; i < ts.size(); i++) {
                    Tensor t = ts.get(i);
                    long[] want = {3, size[0], size[1]};
                    if (!Arrays.equals(t.shape(), want) || !t.dtype().isFloatingPoint()) {
                        throw new FitInputException("Image tensor " + i + " must be a floating-point [3, " + size[0]
                                + ", " + size[1] + "] tensor in [-1, 1] (the base's image size), got " + t);
                    }
                    float[] v = t.toFloatArray();
                    for (float x : v) {
                        if (!Float.isFinite(x)) {
                            throw new FitInputException("Image tensor " + i + " holds a non-finite value (" + x + ")");
                        }
                    }
                    out.add(Tensor.ofFloats(v, want));
                }
            }
        }
        return out;
    }

    private static String fingerprint(Tensor image) {
        ByteBuffer b = image.data();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return FitIdentity.sha256(bytes);
    }

    /**
     * The images' fingerprints ({@code sha256:} of their prepared float32 bytes), in order.
     *
     * @return the fingerprints
     */
    public List<String> imageFingerprints() {
        return imageFingerprints;
    }

    /**
     * The number of images.
     *
     * @return N
     */
    public int images() {
        return gtBits.size();
    }

    /**
     * The encoded subject prompts (one per distinct template).
     *
     * @return the prompts
     */
    public List<Prompt> subjectPrompts() {
        return subjectPrompts;
    }

    /**
     * The encoded class prompt.
     *
     * @return the prompt
     */
    public Prompt classPrompt() {
        return classPrompt;
    }

    /**
     * The ground-truth bits of one image.
     *
     * @param image the index
     * @return {@code (L, d)} bits (0/1), a copy
     */
    public byte[] gtBits(int image) {
        return gtBits.get(image).clone();
    }

    /**
     * A step's subject batch: images and prompt templates chosen by {@link FitSeeds} from (seed, step) alone.
     *
     * @param seed the fit's seed
     * @param step the step index (0-based)
     * @param batchSize B
     * @return the batch
     */
    public SubjectBatch subjectBatch(long seed, int step, int batchSize) {
        int[] img = FitSeeds.batchImages(seed, step, batchSize, gtBits.size());
        int[] tpl = FitSeeds.batchPrompts(seed, step, batchSize, subjectPrompts.size());
        int n = 0;
        for (int t : tpl) {
            n += subjectPrompts.get(t).len();
        }
        float[] text = new float[n * ct5];
        int[] lens = new int[batchSize];
        int[] rows = new int[batchSize];
        byte[] bits = new byte[batchSize * tokens * d];
        int at = 0;
        for (int r = 0; r < batchSize; r++) {
            Prompt p = subjectPrompts.get(tpl[r]);
            System.arraycopy(p.text_NCt5(), 0, text, at, p.text_NCt5().length);
            at += p.text_NCt5().length;
            lens[r] = p.len();
            rows[r] = p.identifierRow();
            System.arraycopy(gtBits.get(img[r]), 0, bits, r * tokens * d, tokens * d);
        }
        return new SubjectBatch(text, lens, rows, bits);
    }

    /**
     * The class batch of prior distillation: the class prompt once per teacher sample.
     *
     * @param samples the teacher's sample count
     * @return the batch
     */
    public ClassBatch classBatch(int samples) {
        float[] one = classPrompt.text_NCt5();
        float[] text = new float[one.length * samples];
        int[] lens = new int[samples];
        for (int i = 0; i < samples; i++) {
            System.arraycopy(one, 0, text, i * one.length, one.length);
            lens[i] = classPrompt.len();
        }
        return new ClassBatch(text, lens);
    }
}
