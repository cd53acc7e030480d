// The few things the page needs from the browser itself: putting pixels computed by the engine on a canvas, and
// keeping the settings in the address bar without reloading.
window.playground = {
    draw: function (id, width, height, pixels) {
        const canvas = document.getElementById(id);
        if (!canvas) return;
        if (canvas.width !== width) canvas.width = width;
        if (canvas.height !== height) canvas.height = height;
        const data = new Uint8ClampedArray(pixels.buffer, pixels.byteOffset, pixels.length);
        canvas.getContext('2d').putImageData(new ImageData(data, width, height), 0, 0);
    },
    setQuery: function (query) {
        history.replaceState(null, '', location.pathname + '?' + query);
    },
    query: function () {
        return location.search;
    }
};
