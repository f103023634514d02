"""The image-file datasets (EuroSAT ... LFW) against torchvision 0.28 on tiny fixture trees.

Each test writes the dataset's folders and list files with a few small images, loads them with
both libraries (``download=False``) and compares lengths, items, classes and reprs; then the
errors when the files are missing.
"""

import json
import os

import numpy as np
import pytest
from test_vision_datasets_more import same_dataset, same_error, same_value, tv, tvd, write_image

from ember.vision import datasets as ed

sio = pytest.importorskip("scipy.io")

__all__ = ["tv", "tvd"]  # fixtures used here by name


def class_attrs(ds):
    return [a for a in ("classes", "class_to_idx") if hasattr(ds, a)]


# --- folder datasets ---------------------------------------------------------------------------


def write_classes(folder, classes, per_class=2, ext=".jpg", seed=0, mode="RGB"):
    for c, name in enumerate(classes):
        for i in range(per_class):
            write_image(
                os.path.join(folder, name, f"img_{i}{ext}"), mode=mode, seed=seed + 10 * c + i
            )


def test_eurosat_matches_torchvision(tv, tmp_path):
    write_classes(tmp_path / "eurosat" / "2750", ["Forest", "AnnualCrop", "River"])
    ours, theirs = ed.EuroSAT(str(tmp_path)), tv.datasets.EuroSAT(str(tmp_path))
    same_dataset(ours, theirs, attrs=("classes", "class_to_idx", "targets", "root"))


@pytest.mark.parametrize("split", ["train", "valid", "test"])
def test_country211_matches_torchvision(tv, tmp_path, split):
    for s in ("train", "valid", "test"):
        write_classes(tmp_path / "country211" / s, ["AD", "AE"], per_class=1 + len(s) % 2)
    ours, theirs = (
        ed.Country211(tmp_path, split=split),
        tv.datasets.Country211(tmp_path, split=split),
    )
    same_dataset(ours, theirs, attrs=("classes", "class_to_idx", "targets", "root"))


@pytest.mark.parametrize("split,size", [("train", "full"), ("val", "160px")])
def test_imagenette_matches_torchvision(tv, tmp_path, split, size):
    folder = tmp_path / ("imagenette2" if size == "full" else f"imagenette2-{size[:3]}") / split
    write_classes(folder, ["n03888257", "n01440764"], ext=".JPEG")
    ours = ed.Imagenette(tmp_path, split=split, size=size)
    theirs = tv.datasets.Imagenette(tmp_path, split=split, size=size)
    same_dataset(ours, theirs, attrs=("classes", "class_to_idx", "wnids", "wnid_to_idx"))
    assert ours.classes[0] == ("tench", "Tinca tinca")


@pytest.mark.parametrize("split", ["train", "test"])
def test_gtsrb_matches_torchvision(tv, tmp_path, split):
    base = tmp_path / "gtsrb"
    write_classes(base / "GTSRB" / "Training", ["00000", "00002"], ext=".ppm")
    rows = ["Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId"]
    for i, cls in enumerate([4, 0, 42]):
        write_image(base / "GTSRB" / "Final_Test" / "Images" / f"{i:05d}.ppm", seed=i)
        rows.append(f"{i:05d}.ppm;7;5;0;0;6;4;{cls}")
    (base / "GT-final_test.csv").write_text("\n".join(rows) + "\n")
    same_dataset(ed.GTSRB(tmp_path, split=split), tv.datasets.GTSRB(tmp_path, split=split))


def test_caltech101_matches_torchvision(tv, tmp_path):
    base = tmp_path / "caltech101"
    for cls, n, mode in (
        ("BACKGROUND_Google", 1, "RGB"),
        ("Faces", 2, "L"),
        ("accordion", 1, "RGB"),
    ):
        for i in range(1, n + 1):
            write_image(
                base / "101_ObjectCategories" / cls / f"image_{i:04d}.jpg", mode=mode, seed=i
            )
            contour = np.random.default_rng(i).uniform(0, 50, (2, 3 + i))
            folder = base / "Annotations" / {"Faces": "Faces_2"}.get(cls, cls)
            folder.mkdir(parents=True, exist_ok=True)
            sio.savemat(folder / f"annotation_{i:04d}.mat", {"obj_contour": contour})
    for target_type in ("category", ["category", "annotation"]):
        ours = ed.Caltech101(tmp_path, target_type=target_type)
        theirs = tv.datasets.Caltech101(tmp_path, target_type=target_type)
        same_dataset(ours, theirs, attrs=("categories", "annotation_categories", "index", "y"))
    assert ours[0][0].mode == "L" and ours[0][1][1].shape == (2, 4)


def test_caltech256_matches_torchvision(tv, tmp_path):
    folder = tmp_path / "caltech256" / "256_ObjectCategories"
    for c, (name, n) in enumerate([("001.ak47", 2), ("002.american-flag", 1)]):
        for i in range(1, n + 1):
            write_image(folder / name / f"{c + 1:03d}_{i:04d}.jpg", seed=c + i)
    (folder / "001.ak47" / "notes.txt").write_text("not an image")
    ours, theirs = ed.Caltech256(str(tmp_path)), tv.datasets.Caltech256(str(tmp_path))
    same_dataset(ours, theirs, attrs=("categories", "index", "y"))


@pytest.mark.parametrize("background", [True, False])
def test_omniglot_matches_torchvision(tv, tvd, tmp_path, background):
    name = "images_background" if background else "images_evaluation"
    base = tmp_path / "omniglot-py"
    for a, alphabet in enumerate(["Greek", "Latin"]):
        for c in range(2):
            for k in range(2):
                path = base / name / alphabet / f"character{c + 1:02d}" / f"{a}{c}{k}.png"
                write_image(path, mode="L", seed=a * 10 + c * 2 + k)
    (base / f"{name}.zip").write_bytes(b"")  # torchvision insists on the archive being present
    ours = ed.Omniglot(tmp_path, background=background)
    theirs = tvd.Omniglot(tmp_path, background=background)
    same_dataset(ours, theirs, attrs=("_alphabets", "_characters", "_flat_character_images"))


# --- datasets with list files ------------------------------------------------------------------


@pytest.mark.parametrize("split,partition", [("train", 1), ("test", 2)])
def test_dtd_matches_torchvision(tv, tmp_path, split, partition):
    data = tmp_path / "dtd" / "dtd"
    write_classes(data / "images", ["banded", "woven", "dotted"], per_class=2)
    (data / "labels").mkdir()
    for s in ("train", "test"):
        for p in (1, 2):
            names = ["woven/img_1.jpg", "banded/img_0.jpg", "dotted/img_1.jpg"][: 1 + p]
            (data / "labels" / f"{s}{p}.txt").write_text("\n".join(names) + "\n")
    ours = ed.DTD(tmp_path, split=split, partition=partition)
    theirs = tv.datasets.DTD(tmp_path, split=split, partition=partition)
    same_dataset(ours, theirs, attrs=("classes", "class_to_idx"))


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_flowers102_matches_torchvision(tvd, tmp_path, split):
    base = tmp_path / "flowers-102"
    for i in range(1, 7):
        write_image(base / "jpg" / f"image_{i:05d}.jpg", seed=i)
    labels = np.array([[1, 102, 5, 5, 77, 3]], dtype=np.uint8)
    sio.savemat(base / "imagelabels.mat", {"labels": labels})
    ids = {"trnid": [[4, 1]], "valid": [[2, 6]], "tstid": [[3, 5]]}
    sio.savemat(base / "setid.mat", {k: np.array(v, np.uint16) for k, v in ids.items()})
    ours, theirs = ed.Flowers102(tmp_path, split=split), tvd.Flowers102(tmp_path, split=split)
    same_dataset(ours, theirs, attrs=("classes",))


@pytest.mark.parametrize("split", ["train", "test"])
def test_food101_matches_torchvision(tv, tmp_path, split):
    base = tmp_path / "food-101"
    write_classes(base / "images", ["pizza", "apple_pie"], per_class=2)
    for s, k in (("train", 0), ("test", 1)):
        meta = {"pizza": [f"pizza/img_{k}"], "apple_pie": ["apple_pie/img_0", "apple_pie/img_1"]}
        (base / "meta").mkdir(exist_ok=True)
        (base / "meta" / f"{s}.json").write_text(json.dumps(meta))
    ours, theirs = ed.Food101(tmp_path, split=split), tv.datasets.Food101(tmp_path, split=split)
    same_dataset(ours, theirs, attrs=("classes", "class_to_idx"))


@pytest.mark.parametrize("split", ["trainval", "test"])
@pytest.mark.parametrize("level", ["variant", "manufacturer"])
def test_fgvc_aircraft_matches_torchvision(tv, tmp_path, split, level):
    data = tmp_path / "fgvc-aircraft-2013b" / "data"
    data.mkdir(parents=True)
    (data / "variants.txt").write_text("707-320\nA300B4\nCessna 172\n")
    (data / "manufacturers.txt").write_text("Boeing\nAirbus\nCessna\n")
    names = {"variant": ["Cessna 172", "707-320"], "manufacturer": ["Boeing", "Cessna"]}[level]
    for s in ("trainval", "test"):
        lines = [f"{100 + i}{s[0]} {name}" for i, name in enumerate(names)]
        (data / f"images_{level}_{s}.txt").write_text("\n".join(lines) + "\n")
        for i in range(len(names)):
            write_image(data / "images" / f"{100 + i}{s[0]}.jpg", seed=i)
    ours = ed.FGVCAircraft(tmp_path, split=split, annotation_level=level)
    theirs = tv.datasets.FGVCAircraft(tmp_path, split=split, annotation_level=level)
    same_dataset(ours, theirs, attrs=("classes", "class_to_idx"))


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("split", ["train", "test"])
def test_stanford_cars_matches_torchvision(tv, tmp_path, split, compress):
    base = tmp_path / "stanford_cars"
    (base / "devkit").mkdir(parents=True)
    names = np.empty((1, 3), dtype=object)
    names[0] = ["AM General Hummer SUV 2000", "Acura RL Sedan 2012", "Audi A5 Coupe 2012"]
    sio.savemat(base / "devkit" / "cars_meta.mat", {"class_names": names}, do_compression=compress)
    fields = [(f, "u2") for f in ("bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2")]
    annotations = np.zeros((1, 3), dtype=fields + [("class", "u1"), ("fname", "O")])
    annotations["class"] = [[3, 1, 3]]
    annotations["fname"][0] = ["00001.jpg", "00002.jpg", "00003.jpg"]
    folder, mat = {
        "train": ("cars_train", base / "devkit" / "cars_train_annos.mat"),
        "test": ("cars_test", base / "cars_test_annos_withlabels.mat"),
    }[split]
    sio.savemat(mat, {"annotations": annotations}, do_compression=compress)
    for i in range(1, 4):
        write_image(base / folder / f"{i:05d}.jpg", seed=i)
    ours, theirs = ed.StanfordCars(tmp_path, split=split), tv.datasets.StanfordCars(tmp_path, split)
    # torchvision's targets are the .mat file's NumPy integers; Ember's are Python ints.
    same_dataset(ours, theirs, attrs=("classes", "class_to_idx"), exact_type=False)
    assert [type(t) for _, t in ours] == [int] * 3 and [t for _, t in ours] == [2, 0, 2]


@pytest.mark.parametrize(
    "target_types", ["category", ["binary-category", "segmentation", "category"], []]
)
def test_oxford_pet_matches_torchvision(tv, tmp_path, target_types):
    base = tmp_path / "oxford-iiit-pet"
    ids = [("Abyssinian_1", 1, 1), ("american_bulldog_10", 2, 2), ("Abyssinian_3", 1, 1)]
    for i, (image_id, _, _) in enumerate(ids):
        write_image(base / "images" / f"{image_id}.jpg", seed=i)
        write_image(base / "annotations" / "trimaps" / f"{image_id}.png", mode="L", seed=9 + i)
    lines = [f"{image_id} {label} {binary} 1" for image_id, label, binary in ids]
    (base / "annotations" / "trainval.txt").write_text("\n".join(lines) + "\n")
    ours = ed.OxfordIIITPet(tmp_path, target_types=target_types)
    theirs = tv.datasets.OxfordIIITPet(tmp_path, target_types=target_types)
    attrs = ("classes", "class_to_idx", "bin_classes", "bin_class_to_idx")
    same_dataset(ours, theirs, attrs=attrs)
    assert ours.classes == ["Abyssinian", "American Bulldog"]


# --- faces -------------------------------------------------------------------------------------


def write_celeba(root):
    base = root / "celeba"
    names = [f"{i:06d}.jpg" for i in range(1, 8)]
    for i, name in enumerate(names):
        write_image(base / "img_align_celeba" / name, seed=i)
    rng = np.random.default_rng(0)

    def table(filename, header, width, values):
        lines = ([str(len(names)), header] if header is not None else []) + [
            f"{name} " + "  ".join(str(v) for v in values(width)) for name in names
        ]
        (base / filename).write_text("\n".join(lines) + "\n")

    (base / "list_eval_partition.txt").write_text(
        "".join(f"{n} {s}\n" for n, s in zip(names, [0, 1, 0, 2, 0, 2, 1]))
    )
    table("identity_CelebA.txt", None, 1, lambda w: rng.integers(1, 100, w))
    table(
        "list_bbox_celeba.txt",
        "image_id x_1 y_1 width height",
        4,
        lambda w: rng.integers(0, 300, w),
    )
    table(
        "list_landmarks_align_celeba.txt",
        "lefteye_x lefteye_y righteye_x righteye_y",
        4,
        lambda w: rng.integers(0, 100, w),
    )
    table("list_attr_celeba.txt", "Bald Bangs Smiling ", 3, lambda w: rng.choice([-1, 1], w))


@pytest.mark.parametrize(
    "split,target_type",
    [
        ("train", "attr"),
        ("valid", ["identity", "bbox", "landmarks"]),
        ("all", []),
        ("TEST", "attr"),
    ],
)
def test_celeba_matches_torchvision(tvd, tmp_path, split, target_type):
    write_celeba(tmp_path)
    ours = ed.CelebA(tmp_path, split=split, target_type=target_type)
    theirs = tvd.CelebA(tmp_path, split=split, target_type=target_type)
    attrs = ("filename", "identity", "bbox", "landmarks_align", "attr", "attr_names")
    same_dataset(ours, theirs, attrs=attrs)


def write_lfw(root):
    base = root / "lfw-py"
    people = {"Ann_Lee": 2, "Bo_Kim": 1, "Cy_Young": 3}
    for name, n in people.items():
        for k in range(1, n + 1):
            write_image(base / "lfw_funneled" / name / f"{name}_{k:04d}.jpg", seed=k + len(name))
    (base / "lfw-funneled.tgz").write_bytes(b"")  # torchvision insists on the archive
    (base / "lfw-names.txt").write_text("".join(f"{n}\t{k}\n" for n, k in people.items()))
    (base / "people.txt").write_text("2\n2\nAnn_Lee\t2\nBo_Kim\t1\n1\nCy_Young\t3\n")
    (base / "peopleDevTrain.txt").write_text("2\nCy_Young\t3\nAnn_Lee\t1\n")
    (base / "pairs.txt").write_text(
        "2\t1\nAnn_Lee\t1\t2\nBo_Kim\t1\tCy_Young\t2\nCy_Young\t1\t3\nAnn_Lee\t2\tBo_Kim\t1\n"
    )
    (base / "pairsDevTest.txt").write_text("1\nCy_Young\t2\t3\nAnn_Lee\t1\tCy_Young\t1\n")


@pytest.mark.parametrize("split", ["10fold", "train"])
def test_lfw_people_matches_torchvision(tvd, tmp_path, split):
    write_lfw(tmp_path)
    ours, theirs = (
        ed.LFWPeople(str(tmp_path), split=split),
        tvd.LFWPeople(str(tmp_path), split=split),
    )
    same_dataset(ours, theirs, attrs=("class_to_idx", "data", "targets", "labels_file"))


@pytest.mark.parametrize("split", ["10fold", "test"])
def test_lfw_pairs_matches_torchvision(tvd, tmp_path, split):
    write_lfw(tmp_path)
    ours, theirs = ed.LFWPairs(str(tmp_path), split=split), tvd.LFWPairs(str(tmp_path), split=split)
    same_dataset(ours, theirs, attrs=("pair_names", "data", "targets"))
    assert ours.targets == ([1, 0, 1, 0] if split == "10fold" else [1, 0])


# --- errors ------------------------------------------------------------------------------------


MISSING = [
    ("EuroSAT", {}),
    ("Country211", {}),
    ("Imagenette", {}),
    ("GTSRB", {}),
    ("Caltech101", {}),
    ("Caltech256", {}),
    ("Omniglot", {}),
    ("DTD", {}),
    ("Flowers102", {}),
    ("Food101", {}),
    ("FGVCAircraft", {}),
    ("StanfordCars", {}),
    ("StanfordCars", {"download": True}),
    ("OxfordIIITPet", {}),
    ("CelebA", {}),
    ("LFWPeople", {}),
    ("LFWPairs", {"download": True}),
    ("Imagenette", {"size": "80px"}),
    ("OxfordIIITPet", {"target_types": ["category", "bbox"]}),
    ("Caltech101", {"target_type": "segmentation"}),
    ("FGVCAircraft", {"annotation_level": "model"}),
]


@pytest.mark.parametrize("name,kwargs", MISSING)
def test_missing_files_and_bad_arguments_fail_like_torchvision(tvd, tmp_path, name, kwargs):
    root = str(tmp_path)
    same_error(
        lambda: getattr(ed, name)(root, **kwargs), lambda: getattr(tvd, name)(root, **kwargs)
    )


def test_celeba_target_transform_needs_a_target(tvd, tmp_path):
    write_celeba(tmp_path)
    same_error(
        lambda: ed.CelebA(tmp_path, target_type=[], target_transform=abs),
        lambda: tvd.CelebA(tmp_path, target_type=[], target_transform=abs),
    )


def test_dtd_partition_is_checked(tmp_path):
    with pytest.raises(ValueError, match="1 <= partition <= 10`, but got 11 instead"):
        ed.DTD(tmp_path, partition=11)


def test_google_drive_datasets_say_where_to_put_files(tmp_path):
    with pytest.raises(RuntimeError, match="Google Drive.*celeba"):
        ed.CelebA(tmp_path, download=True)


def test_transforms_apply_like_torchvision(tv, tmp_path):
    from test_vision_datasets import Tagged

    write_classes(tmp_path / "food-101" / "images", ["pizza"], per_class=1)
    (tmp_path / "food-101" / "meta").mkdir()
    (tmp_path / "food-101" / "meta" / "train.json").write_text('{"pizza": ["pizza/img_0"]}')
    kwargs = dict(transform=Tagged("Size", lambda im: im.size), target_transform=Tagged("Inc", abs))
    ours, theirs = ed.Food101(tmp_path, **kwargs), tv.datasets.Food101(tmp_path, **kwargs)
    assert repr(ours) == repr(theirs)
    same_value(ours[0], theirs[0])
    assert ours[0] == ((7, 5), 0)


# --- downloads ---------------------------------------------------------------------------------


def archive(path, members, fmt):
    """Pack ``{arcname: source path}`` into a tar.gz / tar / zip file; returns (uri, md5)."""
    import hashlib
    import tarfile
    import zipfile

    if fmt == "zip":
        with zipfile.ZipFile(path, "w") as zf:
            for arcname, source in members.items():
                zf.write(source, arcname)
    else:
        with tarfile.open(path, "w:gz" if fmt == "tar.gz" else "w") as tar:
            for arcname, source in members.items():
                tar.add(source, arcname)
    return path.as_uri(), hashlib.md5(path.read_bytes()).hexdigest()


def test_dtd_download_from_file_url(tv, tmp_path, monkeypatch):
    src = tmp_path / "src"
    write_classes(src / "dtd" / "images", ["banded", "woven"], per_class=1)
    (src / "dtd" / "labels").mkdir()
    (src / "dtd" / "labels" / "train1.txt").write_text("woven/img_0.jpg\nbanded/img_0.jpg\n")
    uri, md5 = archive(tmp_path / "dtd-r1.0.1.tar.gz", {"dtd": src / "dtd"}, "tar.gz")
    monkeypatch.setattr(ed.DTD, "_URL", uri)
    monkeypatch.setattr(ed.DTD, "_MD5", md5)
    ours = ed.DTD(tmp_path / "root", download=True)
    same_dataset(ours, tv.datasets.DTD(tmp_path / "root"), attrs=("classes",))


def test_caltech101_download_extracts_the_inner_archives(tv, tmp_path, monkeypatch):
    src = tmp_path / "src"
    write_classes(src / "101_ObjectCategories", ["BACKGROUND_Google", "ant"], per_class=1)
    for cls in ("BACKGROUND_Google", "ant"):
        (src / "101_ObjectCategories" / cls / "img_0.jpg").rename(
            src / "101_ObjectCategories" / cls / "image_0001.jpg"
        )
    images = {"101_ObjectCategories": src / "101_ObjectCategories"}
    archive(tmp_path / "101_ObjectCategories.tar.gz", images, "tar.gz")
    (src / "Annotations" / "ant").mkdir(parents=True)
    sio.savemat(src / "Annotations" / "ant" / "annotation_0001.mat", {"obj_contour": np.eye(2)})
    archive(tmp_path / "Annotations.tar", {"Annotations": src / "Annotations"}, "tar")
    inner = {
        "caltech-101/101_ObjectCategories.tar.gz": tmp_path / "101_ObjectCategories.tar.gz",
        "caltech-101/Annotations.tar": tmp_path / "Annotations.tar",
    }
    uri, md5 = archive(tmp_path / "caltech-101.zip", inner, "zip")
    monkeypatch.setattr(ed.Caltech101, "_URL", uri)
    monkeypatch.setattr(ed.Caltech101, "_MD5", md5)
    root = tmp_path / "root"
    ours = ed.Caltech101(root, target_type=["category", "annotation"], download=True)
    assert sorted(os.listdir(root / "caltech101")) == ["101_ObjectCategories", "Annotations"]
    theirs = tv.datasets.Caltech101(root, target_type=["category", "annotation"])
    same_dataset(ours, theirs, attrs=("categories",))


def test_downloads_offline_fail_clearly(tmp_path, monkeypatch):
    import urllib.error

    def no_network(*args, **kwargs):
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    for name in (
        "EuroSAT",
        "Country211",
        "Imagenette",
        "GTSRB",
        "Caltech101",
        "Caltech256",
        "Omniglot",
        "DTD",
        "Flowers102",
        "Food101",
        "FGVCAircraft",
        "OxfordIIITPet",
    ):
        with pytest.raises(RuntimeError, match="Could not download https?://") as info:
            getattr(ed, name)(tmp_path, download=True)
        assert "name resolution" in str(info.value), name
    leftovers = [f for _, _, files in os.walk(tmp_path) for f in files]
    assert leftovers == []
